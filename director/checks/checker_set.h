// Every health checker of a configuration, on one io_context: TCP_CHECK, HTTP_GET, SSL_GET and
// MISC_CHECK (scripts through ScriptRunner) and AGENT_CHECK. Each checker runs at its delay_loop
// (retries at delay_before_retry); a real server's up/down/weight changes are reported through
// on_change, notify_up/notify_down and quorum_up/quorum_down scripts run, and table() gives the
// forwarding table that follows the health.
#pragma once

#include "director/checks/check_state.h"
#include "director/checks/health_table.h"
#include "director/checks/probe.h"
#include "director/config/config.h"
#include "director/notify/script_runner.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace lvsd::director::checks {

// MISC_CHECK's exit status → result: 0 up; with misc_dynamic 1 down and 2..255 up at weight
// code-2; without it any other exit down. Timeouts, signals and refusals: down.
Result misc_result(const notify::ExitStatus& s, bool dynamic);

// AGENT_CHECK's line → result, with the meaning the pushed reports have (agent_text.h): up
// at agent_weight(); down/maint/fail/stopped, or a line with no known word, fails the check.
// "drain" is up at weight 0: the server stays for the connections it has.
Result agent_result(std::string_view line, int configured_weight);

// One checker of one real server: config.virtual_servers[v].real_servers[r].checkers[index].
struct CheckerId {
    RealServerRef server;
    size_t index = 0;
};

struct CheckerSetOptions {
    size_t body_limit = 1 << 20; // HTTP bodies longer than this fail the check
    // First checks are spread (deterministically) over this much time. Negative: each
    // checker's warmup, default its delay_loop, as keepalived does.
    Duration first_check_spread = Duration(-1);
};

class CheckerSet {
public:
    // Called once the health (quorum included) reflects the change: table() is current in it.
    using OnChange = std::function<void(const RealServerRef&, bool up, int weight)>;
    using OnResult = std::function<void(const CheckerId&, const Result&, const CheckState&)>;
    using OnQuorum = std::function<void(size_t virtual_server, bool up)>;

    // `runner` runs MISC_CHECK and notify scripts and must outlive the set.
    CheckerSet(boost::asio::io_context& io, config::Config config, notify::ScriptRunner& runner,
               OnChange on_change, CheckerSetOptions options = {});
    ~CheckerSet(); // stops; results of probes still in flight are dropped
    CheckerSet(const CheckerSet&) = delete;
    CheckerSet& operator=(const CheckerSet&) = delete;

    void on_result(OnResult f) { on_result_ = std::move(f); } // every result (tracing, tests)
    void on_quorum(OnQuorum f) { on_quorum_ = std::move(f); }

    // After a reload: takes over the verdicts of `old`'s checkers that are still configured
    // (same virtual server and protocol, real server address and port, checker position and
    // kind) with the failures they counted towards their retries and the time they were due
    // (first_delay() shortens to it), and each quorum's verdict, so
    // that a reload neither flaps servers nor runs notify scripts (a quorum script only when
    // the new configuration moves a verdict: other quorum settings, servers or weights).
    // Before start().
    void inherit(const CheckerSet& old);

    void start();
    void stop();
    // keepalived's omega, at the daemon's shutdown: each virtual server that sets it runs the
    // notify_down of its real servers still up, and its quorum_down when it has its quorum, on
    // `runner` (one of their own, that the stop waits for). Returns how many it started.
    size_t notify_shutdown(notify::ScriptRunner& runner);

    const config::Config& config() const { return config_; }
    Health health() const;
    HealthView view() const { return health_view(config_, health()); }
    dataplane::DesiredTable table() const { return healthy_table(config_, view()); }
    // Checkers that are configured but not run (kinds not implemented, no port to check).
    const std::vector<std::string>& notes() const { return notes_; }
    size_t size() const { return checks_.size(); }
    // The state of one checker (its timing: the config with keepalived's defaults); nullptr
    // when that checker is not run.
    const CheckState* state(const CheckerId& id) const;
    // When a checker runs first after start(), nullopt when it is not run.
    std::optional<Duration> first_delay(const CheckerId& id) const;

private:
    struct UrlCheck {
        std::shared_ptr<const PreparedRequest> request;
        std::vector<std::pair<int, int>> status_codes;
        std::string digest;
    };
    // When a check runs next: an entry on the probes' grid (checks start on the 10 ms grid,
    // one wake-up for all the checks due in a tick). Set only while running: stop() cancels
    // every one, so fired() need not look.
    struct Due : GridTimers::Entry {
        Due(CheckerSet& s, size_t i) : set(s), index(i) {}
        void fired() override { set.run(index); }
        CheckerSet& set;
        size_t index;
    };
    struct Check {
        Check(CheckerId i, config::CheckerKind k, const Timing& t) : id(i), kind(k), state(t) {}
        CheckerId id;
        config::CheckerKind kind;
        CheckState state;
        ProbeTarget target;
        std::vector<UrlCheck> urls;
        const config::MiscCheck* misc = nullptr;
        Duration misc_timeout{};
        int configured_weight = 1; // AGENT_CHECK: what NN% scales
        Duration first_delay{};
        bool log_all_failures = false;
        std::unique_ptr<Due> due;                            // from start()
        std::optional<GridTimers::Clock::time_point> due_at; // when it runs next, once started
    };
    struct Server {
        RealServerRef ref;
        ServerHealth health;
        std::vector<size_t> checks;
    };

    void build();
    void schedule(size_t i, Duration after);
    void run(size_t i);
    void run_url(size_t i, size_t url, std::function<void(Result)> done);
    static std::optional<std::string> url_failure(const UrlCheck& u, const HttpReply& r);
    void result(size_t i, const Result& r);
    void server_changed(size_t server, const std::string& why);
    void run_script(const std::optional<config::Script>& s) { run_script(runner_, s); }
    static void run_script(notify::ScriptRunner& runner, const std::optional<config::Script>& s);
    std::string server_name(const RealServerRef& r) const;
    std::string service_name(size_t virtual_server) const;
    std::string service_key(size_t virtual_server) const;
    std::string checker_key(const Check& c) const;

    boost::asio::io_context& io_;
    config::Config config_;
    notify::ScriptRunner& runner_;
    OnChange on_change_;
    OnResult on_result_;
    OnQuorum on_quorum_;
    CheckerSetOptions options_;
    boost::asio::ssl::context tls_;
    std::shared_ptr<ProbeShared> probes_; // shared with the probes in flight
    std::shared_ptr<bool> alive_;
    std::vector<Check> checks_;
    std::vector<Server> servers_;
    std::map<RealServerRef, size_t> server_index_;
    std::vector<Quorum> quorum_;
    std::vector<std::string> notes_;
    bool running_ = false;
    uint64_t generation_ = 0; // bumped by stop()
};

} // namespace lvsd::director::checks
