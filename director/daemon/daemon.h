// The running director: one event loop that holds the VRRP instances, the scripts they track and
// their notifications, follows link changes, and answers signals (TERM/INT: clean stop, HUP:
// reload, USR2: stats dump).
#pragma once

#include "director/agent/report_listener.h"
#include "director/checks/checker_set.h"
#include "director/config/config.h"
#include "director/control/control_server.h"
#include "director/daemon/sync_daemons.h"
#include "director/dataplane/backend.h"
#include "director/dataplane/choose_backend.h"
#include "director/notify/notifier.h"
#include "director/notify/script_runner.h"
#include "director/notify/script_tracker.h"
#include "net/link_monitor.h"
#include "net/route_socket.h"
#include "vrrp/announcer.h"
#include "vrrp/instance.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lvsd::director {

struct DaemonOptions {
    std::filesystem::path config_file;
    std::string config_id;
    std::filesystem::path stats_file;
};

class Daemon {
public:
    // config: already loaded and checked without errors. Throws std::runtime_error when the
    // sockets the daemon needs cannot be opened.
    Daemon(DaemonOptions opts, config::Config config);
    ~Daemon();
    // Runs until SIGTERM/SIGINT; returns the exit status.
    int run();

private:
    // Makes `next` the running configuration: instances, scripts, checks, table.
    void apply(config::Config next);
    void start_scripts(const config::Config& c);
    void retire_notifier();
    void reap_retired(notify::ScriptRunner* runner);
    void when_quiet(notify::Notifier* n, notify::ScriptRunner* r, std::function<void()> done);
    void exit_when_retired_idle();
    void update_tracking();
    void apply_table(); // now
    void reconcile_table();
    void request_apply(); // soon: see daemon.cpp
    void listen_for_reports(const config::GlobalDefs& g);
    void open_backend();
    void open_control();
    void state_changed(const vrrp::InstanceSpec& spec, vrrp::State to, int priority);
    void update_sync_daemons(std::optional<vrrp::State> followed = std::nullopt);
    void reload();
    void stop_all();
    void dump_stats();
    void wait_signals();
    void wait_links();
    void watch_ruleset();

    DaemonOptions opts_;
    config::Config config_;
    // One thread runs it: asio then queues what a handler posts or cancels for this same
    // thread, rather than waking its reactor with an epoll_ctl each time.
    boost::asio::io_context io_{1};
    boost::asio::signal_set signals_;
    net::RouteSocket rt_;
    vrrp::Announcer announcer_;
    net::LinkMonitor links_;
    boost::asio::posix::stream_descriptor link_events_;
    boost::asio::steady_timer stop_deadline_;
    boost::asio::steady_timer retired_poll_;
    // Health changes are applied together (request_apply); the last apply's end and length.
    boost::asio::steady_timer apply_timer_;
    bool apply_pending_ = false;
    uint64_t applies_ = 0; // apply_table() calls
    std::chrono::steady_clock::time_point last_apply_end_{};
    std::chrono::steady_clock::duration last_apply_took_{};
    // nftables dataplane: a look each second at whether someone else changed the ruleset.
    boost::asio::steady_timer ruleset_watch_;
    bool ruleset_moved_ = false; // the next apply follows someone else's commit
    bool stopping_ = false;      // stop_all() ran: no apply any more
    std::unique_ptr<notify::ScriptRunner> runner_;
    std::unique_ptr<checks::CheckerSet> checkers_; // declared after runner_: it uses it
    std::unique_ptr<notify::Notifier> notifier_;
    std::unique_ptr<notify::ScriptRunner> omega_runner_; // at the stop: omega's scripts
    // A reload's previous runner and notifier, kept until what they run is done (a removed
    // instance's notify_stop, the checkers' notify and quorum scripts, a mail).
    struct Retired {
        std::unique_ptr<notify::ScriptRunner> runner;
        std::unique_ptr<notify::Notifier> notifier;
    };
    std::vector<Retired> retired_;
    std::map<std::string, std::unique_ptr<notify::ScriptTracker>> trackers_; // by vrrp_script
    std::map<int, bool> links_running_;                                      // by ifindex
    std::map<std::string, vrrp::State> group_state_; // by vrrp_sync_group, for its notify
    std::vector<std::unique_ptr<vrrp::Instance>> instances_;
    std::unique_ptr<dataplane::Backend> backend_; // opened when virtual servers are configured
    dataplane::BackendKind backend_kind_ = dataplane::BackendKind::ipvs;
    SyncDaemons sync_; // lvs_sync_daemon
    std::unique_ptr<control::ControlServer> control_;
    std::unique_ptr<agent::ReportListener> reports_;
};

} // namespace lvsd::director
