#include "director/daemon/daemon.h"

#include "agent/key_file.h"
#include "conf/diagnostic.h"
#include "director/agent/report_weights.h"
#include "director/checks/health_table.h"
#include "director/config/json.h"
#include "director/config/parser.h"
#include "director/control/commands.h"
#include "director/dataplane/desired_table.h"
#include "director/dataplane/ipvs/ipvs.h"
#include "director/dataplane/nft/nftables.h"
#include "director/notify/priority.h"
#include "log/log.h"
#include "vrrp/instance_spec.h"

#include <systemd/sd-daemon.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <utility>

namespace lvsd::director {

namespace asio = boost::asio;

namespace {

const config::VrrpInstance* find_instance(const config::Config& c, const std::string& name) {
    for (const auto& vi : c.vrrp_instances)
        if (vi.name == name)
            return &vi;
    return nullptr;
}

const config::VrrpSyncGroup* group_of(const config::Config& c, const std::string& instance) {
    for (const auto& g : c.vrrp_sync_groups)
        for (const auto& m : g.group)
            if (m.name == instance)
                return &g;
    return nullptr;
}

const config::VrrpScript* find_script(const config::Config& c, const std::string& name) {
    for (const auto& s : c.vrrp_scripts)
        if (s.name == name)
            return &s;
    return nullptr;
}

// How long a clean stop waits for notify_stop scripts before it exits anyway.
constexpr auto stop_grace = std::chrono::seconds(10);

} // namespace

Daemon::Daemon(DaemonOptions opts, config::Config config)
    : opts_(std::move(opts)), config_(std::move(config)), signals_(io_), link_events_(io_),
      stop_deadline_(io_), retired_poll_(io_), apply_timer_(io_), ruleset_watch_(io_) {
    link_events_.assign(dup(links_.fd()));
}

Daemon::~Daemon() = default;

int Daemon::run() {
    // keepalived users send USR1 (data dump) too: it must not kill a daemon holding VIPs.
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2})
        signals_.add(sig);
    std::signal(SIGPIPE, SIG_IGN);
    listen_for_reports(config_.global_defs);
    open_control();
    apply(config_);
    wait_signals();
    wait_links();
    watch_ruleset();
    sd_notify(0, "READY=1");
    io_.run();
    return 0;
}

// The notifier and its runner go with the configuration they were made for, but what they
// still run (the notify_stop of an instance a reload removed, a notify_down or quorum script
// of the checkers, a mail) finishes first: killing it would lose exactly the notification the
// operator asked for.
void Daemon::retire_notifier() {
    if ((notifier_ && notifier_->pending() > 0) || (runner_ && runner_->running() > 0)) {
        auto* r = runner_.get();
        retired_.push_back({std::move(runner_), std::move(notifier_)});
        reap_retired(r);
    }
    notifier_.reset();
    runner_.reset();
}

// Drops a retired runner (and its notifier) once neither has anything running.
void Daemon::reap_retired(notify::ScriptRunner* runner) {
    auto it = std::find_if(retired_.begin(), retired_.end(),
                           [runner](const Retired& r) { return r.runner.get() == runner; });
    if (it == retired_.end())
        return;
    when_quiet(it->notifier.get(), runner, [this, runner] {
        std::erase_if(retired_, [runner](const Retired& r) { return r.runner.get() == runner; });
    });
}

// Calls `done` once neither `n` nor `r` (either may be null) has anything running, waiting on
// whichever is still busy. Their idle callbacks come from the loop, not from inside their own
// calls, so `done` may destroy them.
void Daemon::when_quiet(notify::Notifier* n, notify::ScriptRunner* r, std::function<void()> done) {
    auto again = [this, n, r, done] { when_quiet(n, r, done); };
    if (n && n->pending() > 0)
        return n->when_idle(again);
    if (r && r->running() > 0)
        return r->when_idle(again);
    done();
}

void Daemon::start_scripts(const config::Config& c) {
    // Scripts and mail follow global_defs (script_user, security, SMTP): rebuilt with it. A
    // reload keeps each vrrp_script's verdict (same name and command) and restarts its counting.
    auto runner = std::make_unique<notify::ScriptRunner>(io_, c.global_defs);
    // Health checks: the new set takes over the old one's up/down states and quorum, so a reload
    // neither flaps servers nor reruns notify scripts. Built before the old runner goes.
    std::unique_ptr<checks::CheckerSet> checkers;
    if (!c.virtual_servers.empty()) {
        checkers = std::make_unique<checks::CheckerSet>(
            io_, c, *runner, [this](const checks::RealServerRef&, bool, int) { request_apply(); });
        if (checkers_)
            checkers->inherit(*checkers_);
        for (const auto& note : checkers->notes())
            log::warning(note);
    }
    checkers_.reset();
    auto old_trackers = std::move(trackers_);
    trackers_.clear();
    retire_notifier();
    runner_ = std::move(runner);
    checkers_ = std::move(checkers);
    notifier_ = std::make_unique<notify::Notifier>(io_, c.global_defs, *runner_);
    auto report = [&](const std::optional<config::Script>& s) {
        if (s)
            if (auto why = runner_->check(*s))
                log::error(*why);
    };
    for (const auto& vi : c.vrrp_instances)
        for (const auto* s : {&vi.notify.any, &vi.notify.master, &vi.notify.backup,
                              &vi.notify.fault, &vi.notify.stop})
            report(*s);
    std::vector<std::string> tracked;
    for (const auto& vi : c.vrrp_instances)
        for (const auto& t : vi.track_script)
            tracked.push_back(t.name);
    for (const auto& g : c.vrrp_sync_groups)
        for (const auto& t : g.track_script)
            tracked.push_back(t.name);
    for (const auto& name : tracked) {
        const auto* script = find_script(c, name);
        if (!script || trackers_.count(name))
            continue;
        report(script->script);
        auto tracker =
            std::make_unique<notify::ScriptTracker>(io_, *runner_, *script, [this, name](bool up) {
                log::info("VRRP_Script(" + name + ") " + (up ? "succeeded" : "failed"));
                update_tracking();
            });
        if (auto it = old_trackers.find(name); it != old_trackers.end())
            tracker->inherit(*it->second);
        trackers_.emplace(name, std::move(tracker));
    }
    for (auto& [name, tracker] : trackers_)
        tracker->start();
}

// Every instance's effective priority and FAULT from its tracked scripts and interfaces (and
// those of its sync group), recomputed whenever one of them changes.
void Daemon::update_tracking() {
    auto interface_up = [&](const std::string& name) {
        int idx = 0;
        try {
            idx = rt_.ifindex(name);
        } catch (const net::NetlinkError&) {
        }
        if (idx == 0)
            return false;
        auto it = links_running_.find(idx);
        if (it == links_running_.end()) {
            bool running = false; // gone between the two questions
            try {
                running = rt_.is_running(idx);
            } catch (const net::NetlinkError&) {
            }
            it = links_running_.emplace(idx, running).first;
        }
        return it->second;
    };
    std::map<const vrrp::Instance*, notify::EffectivePriority> eff;
    for (auto& inst : instances_) {
        const auto* vi = find_instance(config_, inst->spec().name);
        if (!vi)
            continue;
        std::vector<notify::TrackedState> states;
        auto add = [&](const std::vector<config::Tracked>& ifs,
                       const std::vector<config::Tracked>& scripts) {
            for (const auto& t : ifs)
                states.push_back({t.weight, t.reverse, interface_up(t.name)});
            for (const auto& t : scripts) {
                auto it = trackers_.find(t.name);
                const auto* script = find_script(config_, t.name);
                if (it == trackers_.end() || !script || it->second->disabled())
                    continue;
                states.push_back(notify::tracked_script(t, *script, it->second->up()));
            }
        };
        add(vi->track_interface, vi->track_script);
        if (const auto* g = group_of(config_, vi->name))
            add(g->track_interface, g->track_script);
        eff[inst.get()] = notify::effective_priority(vi->priority, states);
    }
    // A sync group fails as one: a member down for its own reasons (link, tracking) takes the
    // others to FAULT with it.
    for (auto& inst : instances_) {
        auto it = eff.find(inst.get());
        if (it == eff.end())
            continue;
        bool fault = it->second.fault;
        if (const auto* g = group_of(config_, inst->spec().name))
            for (auto& other : instances_)
                if (other != inst && group_of(config_, other->spec().name) == g)
                    fault |= !other->link_running() || eff[other.get()].fault;
        inst->set_tracking(it->second.priority, fault);
    }
}

void Daemon::state_changed(const vrrp::InstanceSpec& spec, vrrp::State to, int priority) {
    if (spec.name == sync_.instance())
        update_sync_daemons(to);
    const auto* vi = find_instance(config_, spec.name);
    if (!vi || !notifier_)
        return;
    if (to == vrrp::State::init)
        notifier_->instance_stopped(*vi, priority);
    else
        notifier_->instance_changed(*vi, to, priority);
    const auto* g = group_of(config_, spec.name);
    if (!g || to == vrrp::State::init)
        return;
    // The group's own notify runs once per group state, on the first member to get there.
    auto& last = group_state_[g->name];
    if (last != to) {
        last = to;
        notifier_->group_changed(*g, to, priority);
    }
    // The other members follow into MASTER or BACKUP (a follower's own change comes back here
    // and finds the rest already there). FAULT is shared by update_tracking().
    if (to == vrrp::State::master || to == vrrp::State::backup)
        for (auto& other : instances_)
            if (other->spec().name != spec.name && group_of(config_, other->spec().name) == g)
                other->follow(to);
}

void Daemon::apply(config::Config next) {
    auto specs = vrrp::build_specs(next);
    std::vector<std::unique_ptr<vrrp::Instance>> keep;
    // An instance whose settings did not change keeps running in its state: a reload must not
    // make a master step down. One whose addresses (VIPs, routes) or garp settings changed
    // takes them in place, as keepalived does. The others stop before config_ changes, so that
    // their STOP notifications are their own (a removed instance is not in the new file at all).
    for (auto& inst : instances_) {
        auto same = std::find(specs.begin(), specs.end(), inst->spec());
        if (same == specs.end())
            same = std::find_if(specs.begin(), specs.end(), [&](const vrrp::InstanceSpec& s) {
                return inst->spec().same_but_addresses(s);
            });
        if (same != specs.end()) {
            if (!(*same == inst->spec()))
                inst->update(std::move(*same));
            specs.erase(same);
            keep.push_back(std::move(inst));
        } else {
            log::info("VRRP_Instance(" + inst->spec().name + ") removed or changed; stopping it");
            inst->stop();
        }
    }
    instances_ = std::move(keep);
    config_ = std::move(next);
    const auto& c = config_;
    start_scripts(c);
    std::vector<vrrp::Instance*> fresh;
    for (auto& spec : specs) {
        instances_.push_back(std::make_unique<vrrp::Instance>(
            io_, std::move(spec), rt_, announcer_,
            [this](const vrrp::InstanceSpec& s, vrrp::State, vrrp::State to, int priority) {
                state_changed(s, to, priority);
            }));
        fresh.push_back(instances_.back().get());
    }
    // New instances start with what their tracking says (priority, FAULT): starting at the
    // configured priority first would announce a state the tracking then takes back (an
    // address owner's VIPs added, then FAULT).
    update_tracking();
    for (auto* inst : fresh)
        try {
            inst->start();
        } catch (const std::exception& e) {
            // The other instances still run; this one stays down until a reload fixes it.
            log::error(e.what());
        }
    apply_table();
    if (checkers_)
        checkers_->start();
}

// Health changes come in bursts (a switch fails, a rack reboots). Each apply builds and diffs
// the whole table, which with tens of thousands of real servers takes a while, so a change is
// applied at once only when the last apply ended at least as long ago as it took; else it waits for
// that, together with whatever else changes meanwhile. The loop so spends at most about half its
// time applying, and the checks in flight keep their timing: applying each of a burst of changes
// alone made checks time out, and the new downs more applies. The wait is capped at a second (a
// slow first apply must not hold the next down long). Readiness reports are applied at once: their
// ack says the table has them.
void Daemon::request_apply() {
    if (apply_pending_)
        return;
    apply_pending_ = true;
    auto wait =
        std::min<std::chrono::steady_clock::duration>(last_apply_took_, std::chrono::seconds(1));
    apply_timer_.expires_at(std::max(std::chrono::steady_clock::now(), last_apply_end_ + wait));
    // A wait that ended just as apply_table() ran is queued already: the count tells it.
    apply_timer_.async_wait([this, n = applies_](boost::system::error_code ec) {
        if (!ec && apply_pending_ && n == applies_)
            apply_table();
    });
}

// A firewall reload (`flush ruleset` and its own tables) takes the nftables dataplane's tables
// with it, where IPVS would be left alone. Each second the backend looks whether someone else
// committed and our tables are not the ones it made (NftBackend::changed_elsewhere); if so, an
// apply reads the kernel and mends them.
void Daemon::watch_ruleset() {
    ruleset_watch_.expires_after(std::chrono::seconds(1));
    ruleset_watch_.async_wait([this](boost::system::error_code ec) {
        if (ec || stopping_)
            return;
        if (backend_ && backend_kind_ == dataplane::BackendKind::nftables &&
            static_cast<dataplane::nft::NftBackend&>(*backend_).changed_elsewhere()) {
            ruleset_moved_ = true;
            request_apply();
        }
        watch_ruleset();
    });
}

void Daemon::apply_table() {
    apply_pending_ = false; // this apply includes whatever was waiting
    apply_timer_.cancel();
    ++applies_;
    auto started = std::chrono::steady_clock::now();
    reconcile_table();
    last_apply_end_ = std::chrono::steady_clock::now();
    last_apply_took_ = last_apply_end_ - started;
}

// The virtual servers: the kernel's table is brought to the configured one by the smallest
// difference, never flushed, so a restart or reload with the same services changes nothing and
// established connections live on. The table stays when the daemon stops, for the same reason.
void Daemon::reconcile_table() {
    bool after_foreign_commit = std::exchange(ruleset_moved_, false);
    if (config_.virtual_servers.empty() && !backend_)
        return;
    auto started = std::chrono::steady_clock::now();
    // A reload changed lvs_nft_slots or the interface: the (stateless) nftables backend anew.
    if (backend_ && backend_kind_ == dataplane::BackendKind::nftables &&
        !(static_cast<dataplane::nft::NftBackend&>(*backend_).options() ==
          dataplane::nft_options(config_)))
        backend_.reset();
    if (!backend_)
        open_backend();
    if (!backend_)
        return;
    // Health checks remove servers (or weigh them 0); agent reports can only lower a weight.
    checks::HealthView view;
    if (checkers_)
        view = checkers_->view();
    if (reports_)
        for (const auto& [ref, w] : agent::report_weights(config_, reports_->hosts())) {
            if (view.removed.count(ref))
                continue;
            auto it = view.weights.find(ref);
            view.weights[ref] = it == view.weights.end() ? w : std::min(it->second, w);
        }
    auto desired = checks::healthy_table(config_, view);
    for (const auto& note : desired.notes)
        log::warning(note);
    dataplane::ApplyResult r;
    try {
        r = dataplane::reconcile(*backend_, desired.table);
    } catch (const std::exception& e) {
        log::error("cannot read the virtual-server table: " + std::string(e.what()));
        return;
    }
    for (const auto& e : r.errors)
        log::error(e.str());
    if (after_foreign_commit && !r.ops.empty())
        log::warning("nftables: someone else changed the ruleset (a firewall reload?) and our "
                     "tables with it; " +
                     std::to_string(r.ops.size()) + (r.ops.size() == 1 ? " change" : " changes") +
                     " applied to mend them");
    if (desired.timeouts && backend_kind_ == dataplane::BackendKind::ipvs) {
        try {
            const auto& t = *desired.timeouts;
            static_cast<dataplane::ipvs::Ipvs&>(*backend_).set_timeouts({t.tcp, t.tcp_fin, t.udp});
        } catch (const std::exception& e) {
            log::error("lvs_timeouts: " + std::string(e.what()));
        }
    }
    if (!r.ops.empty()) {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - started);
        log::info("virtual servers: " + std::to_string(r.applied) + " of " +
                  std::to_string(r.ops.size()) + " changes applied in " +
                  std::to_string(ms.count()) + " ms");
    }
    sync_.configure(desired.sync_daemon);
    update_sync_daemons();
}

// lvs_sync_daemon follows its vrrp_instance: `followed` is that instance's new state, else the
// state is read from the instance.
void Daemon::update_sync_daemons(std::optional<vrrp::State> followed) {
    if (!followed)
        for (const auto& inst : instances_)
            if (inst->spec().name == sync_.instance())
                followed = inst->state();
    sync_.update(backend_.get(), backend_kind_, followed == vrrp::State::master);
}

// lvs_dataplane: IPVS when the kernel has it (auto), else nftables, which steers DR traffic on
// the director's interface: that of the first vrrp_instance, else default_interface.
void Daemon::open_backend() {
    auto kind =
        dataplane::choose_backend(config_.global_defs.lvs_dataplane, dataplane::kernel_has_ipvs());
    auto nft = dataplane::nft_options(config_);
    try {
        backend_ = dataplane::make_backend(kind, nft);
        backend_kind_ = kind;
        std::string where;
        if (kind == dataplane::BackendKind::nftables)
            where = nft.interface.empty()
                        ? " (no interface: no vrrp_instance, no default_interface)"
                        : " on " + nft.interface;
        log::info("dataplane: " + dataplane::str(kind) + where);
    } catch (const std::exception& e) {
        log::error("virtual_server blocks are configured but the " + dataplane::str(kind) +
                   " dataplane cannot be used: " + e.what() +
                   (kind == dataplane::BackendKind::ipvs ? " (modprobe ip_vs)" : ""));
    }
}

// lvsctl's way in; a director that cannot open it still runs (logged).
void Daemon::open_control() {
    control::Sources src;
    src.table = [this] {
        if (!backend_)
            throw std::runtime_error("no dataplane runs (no virtual_server configured)");
        return backend_->read_table();
    };
    src.backend = [this] {
        control::BackendInfo info;
        info.name = backend_ ? dataplane::str(backend_kind_) : "none";
        if (backend_ && backend_kind_ == dataplane::BackendKind::ipvs) {
            auto i = static_cast<dataplane::ipvs::Ipvs&>(*backend_).info();
            info.ipvs_version = i.version;
            info.conn_table_size = i.conn_table_size;
        }
        return info;
    };
    src.vrrp_instances = [this] {
        nlohmann::json a = nlohmann::json::array();
        for (const auto& inst : instances_)
            a.push_back(inst->stats());
        return a;
    };
    try {
        control_ = std::make_unique<control::ControlServer>(io_, control::default_socket_path(),
                                                            control::make_handler(src));
        control_->start();
    } catch (const std::exception& e) {
        log::warning("no control socket (lvsctl will not reach this director): " +
                     std::string(e.what()));
        control_.reset();
    }
}

// Throws with a clear message when the key cannot be read or the port is taken.
// The listener is replaced only once the new one is open: a reload that cannot have the key or
// the port keeps receiving as before.
void Daemon::listen_for_reports(const config::GlobalDefs& g) {
    if (g.agent_report_port == 0) {
        reports_.reset();
        return;
    }
    auto key = lvsd::agent::load_key(g.agent_key_file);
    std::unique_ptr<agent::ReportListener> next;
    try {
        next = std::make_unique<agent::ReportListener>(
            io_, static_cast<uint16_t>(g.agent_report_port), std::move(key),
            [this](const std::string&, const agent::HostState&) { apply_table(); },
            g.router_id); // acks name this director as keepalived names it: router_id, else host
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error("cannot receive readiness reports on port " +
                                 std::to_string(g.agent_report_port) + ": " + e.code().message());
    }
    reports_ = std::move(next);
    log::info("readiness reports: listening on port " + std::to_string(g.agent_report_port));
}

void Daemon::reload() {
    sd_notify(0, "RELOADING=1");
    log::info("reloading " + opts_.config_file.string());
    conf::Diagnostics diags;
    config::Config next;
    try {
        next = config::load_config(opts_.config_file, opts_.config_id, diags);
    } catch (const conf::ConfigError& e) {
        diags.add(e.diagnostic());
    }
    for (const auto& d : diags.all())
        log::info(d.str()); // "file:line:col: error: ..." says its own severity
    if (diags.has_errors()) {
        log::error("the new configuration has errors; keeping the running one");
    } else {
        auto& ng = next.global_defs;
        const auto& og = config_.global_defs;
        try {
            if (reports_ && ng.agent_report_port == og.agent_report_port) {
                // The same port: the listener stays, with what hosts reported; its key is read
                // again (a key rotated in place takes effect with the reload).
                reports_->set_key(lvsd::agent::load_key(ng.agent_key_file));
                reports_->set_name(ng.router_id);
            } else
                listen_for_reports(ng);
        } catch (const std::exception& e) {
            log::error(std::string(e.what()) + (reports_ ? "; readiness reports go on as before"
                                                         : "; readiness reports are not received"));
            // The next reload tries again, also when the file is the same one, mended.
            ng.agent_report_port = og.agent_report_port;
            ng.agent_key_file = og.agent_key_file;
        }
        apply(std::move(next));
    }
    sd_notify(0, "READY=1");
}

void Daemon::stop_all() {
    sd_notify(0, "STOPPING=1");
    // No apply after the checks are gone: it would put every down server back.
    apply_pending_ = false;
    apply_timer_.cancel();
    ruleset_watch_.cancel();
    stopping_ = true;
    // omega's scripts, on a runner of their own: the stop waits for them, not for MISC_CHECKs.
    if (checkers_) {
        omega_runner_ = std::make_unique<notify::ScriptRunner>(io_, config_.global_defs);
        checkers_->notify_shutdown(*omega_runner_);
    }
    checkers_.reset();
    trackers_.clear();
    sync_.stop(backend_.get(), backend_kind_); // first: the instances' last transitions leave it be
    for (auto& inst : instances_)
        inst->stop();
    instances_.clear();
    link_events_.cancel();
    control_.reset();
    reports_.reset();
    // notify_stop scripts, omega's notify_down and quorum_down, and mails still run: exit when
    // they are done, or after a grace time.
    stop_deadline_.expires_after(stop_grace);
    stop_deadline_.async_wait([this](const boost::system::error_code& ec) {
        if (ec)
            return;
        log::warning("notify scripts still running at exit");
        io_.stop();
    });
    when_quiet(notifier_.get(), omega_runner_.get(), [this] { exit_when_retired_idle(); });
}

// The runners and notifiers a recent reload retired (the notify_stop of an instance it removed)
// go on until reap_retired drops them: the exit waits for that too, looking every 50 ms.
void Daemon::exit_when_retired_idle() {
    if (retired_.empty()) {
        stop_deadline_.cancel();
        io_.stop();
        return;
    }
    retired_poll_.expires_after(std::chrono::milliseconds(50));
    retired_poll_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec)
            exit_when_retired_idle();
    });
}

void Daemon::dump_stats() {
    nlohmann::json j = {{"vrrp_instances", nlohmann::json::array()},
                        {"vrrp_scripts", nlohmann::json::array()}};
    for (const auto& inst : instances_)
        j["vrrp_instances"].push_back(inst->stats());
    for (const auto& [name, t] : trackers_)
        j["vrrp_scripts"].push_back({{"name", name},
                                     {"status", t->disabled() ? "disabled"
                                                : t->up()     ? "good"
                                                              : "bad"},
                                     {"runs", t->runs()}});
    if (reports_)
        j["agent_reports"] = reports_->stats();
    if (notifier_)
        j["mail"] = {{"sent", notifier_->mails_sent()}, {"failed", notifier_->mails_failed()}};
    std::error_code ec;
    std::filesystem::create_directories(opts_.stats_file.parent_path(), ec);
    std::string tmp = opts_.stats_file.string() + ".tmp";
    std::ofstream(tmp) << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    std::filesystem::rename(tmp, opts_.stats_file, ec);
    if (ec)
        log::warning("cannot write " + opts_.stats_file.string() + ": " + ec.message());
}

void Daemon::wait_signals() {
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
        if (ec)
            return;
        if (sig == SIGUSR1 || sig == SIGUSR2) {
            dump_stats();
        } else if (stopping_) {
            // A second SIGTERM (or Ctrl-C) while notify scripts finish: exit now. A reload
            // during the stop is ignored.
            if (sig != SIGHUP) {
                log::warning("signal " + std::to_string(sig) +
                             " again: exiting without waiting for notify scripts");
                io_.stop();
                return;
            }
        } else if (sig == SIGHUP) {
            reload();
        } else {
            log::info("stopping on signal " + std::to_string(sig));
            stop_all();
        }
        wait_signals();
    });
}

void Daemon::wait_links() {
    link_events_.async_wait(asio::posix::stream_descriptor::wait_read,
                            [this](const boost::system::error_code& ec) {
                                if (ec)
                                    return;
                                bool tracked_changed = false;
                                links_.drain([&](int ifindex, bool running) {
                                    auto& known = links_running_[ifindex];
                                    tracked_changed |= known != running;
                                    known = running;
                                    for (auto& inst : instances_)
                                        inst->link_changed(ifindex, running);
                                });
                                if (tracked_changed)
                                    update_tracking();
                                wait_links();
                            });
}

} // namespace lvsd::director
