// lvs-realserver: holds the VIPs and ARP settings of an LVS real server, replacing the classic
// /etc/init.d/realserver script.
#include "config.h"
#include "daemon.h"
#include "host.h"
#include "probes.h"
#include "readiness.h"

#include "agent/key_file.h"
#include "log/log.h"
#include "sys/pidfile.h"
#include "sys/privilege.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace lvsd;
using namespace lvsd::realserver;

namespace {

// LSB init-script exit codes, which `service realserver ...` passes on.
enum Exit {
    ok = 0,
    failed = 1,
    bad_input = 2,
    status_stopped = 3,
    no_privilege = 4,
    status_unknown = 4,
};

const char* usage = "Usage: lvs-realserver [options] start|stop|reload|status|run|drain|undrain\n"
                    "       lvs-realserver -t [-f FILE]   check the configuration, change nothing\n"
                    "  start   put the VIPs on lo (or tunl0) and set arp_ignore/arp_announce\n"
                    "  stop    undo exactly what start changed\n"
                    "  status  VIPs, sysctls and local readiness (exit 0 running, 3 stopped)\n"
                    "  reload  a running agent rereads its file; else start with the edited file\n"
                    "  run     start, keep it applied in the foreground, stop on SIGTERM\n"
                    "  drain   tell the directors: no new connections (undrain: back to normal)\n";

struct Options {
    std::string command;
    std::string config_file = "/etc/lvsd/realserver.conf";
    bool config_given = false;
    std::vector<std::string> vips;
    std::string state_dir = "/run/lvsd";
    bool json = false;
    bool syslog = false;
};

Config load(const Options& o) {
    Config c;
    if (o.config_given || o.vips.empty()) {
        conf::Diagnostics diags;
        c = load_config(o.config_file, diags);
        for (const auto& d : diags.all())
            std::cerr << d.str() << "\n";
    } else {
        c.source = "command line";
    }
    for (const auto& v : o.vips)
        c.vips.push_back(parse_vip_argument(v));
    check_unique_vips(c);
    if (c.vips.empty()) {
        conf::Diagnostic d;
        d.where.file = std::make_shared<const std::string>(c.source);
        d.severity = conf::Severity::error;
        d.message = "no VIP configured (virtual_ipaddress { ... } or --vip ADDR)";
        throw conf::ConfigError(d);
    }
    return c;
}

bool require_net_admin() {
    if (sys::has_net_admin())
        return true;
    log::error("needs CAP_NET_ADMIN to change addresses and sysctls; run it as root");
    return false;
}

int do_start(const Options& o) {
    Config c = load(o);
    if (!require_net_admin())
        return no_privilege;
    Host host(default_state_path(o.state_dir));
    std::vector<std::string> changes;
    try {
        changes = host.apply(plan_host(c), c.source);
    } catch (const std::exception& e) {
        log::error(std::string(e.what()) + "; what this start changed was undone");
        return failed;
    }
    for (const auto& l : changes)
        log::info(l);
    if (changes.empty())
        log::info("already started; nothing to change");
    return ok;
}

// The pid of a running agent (`run`), or 0.
int agent_pid(const Host& host) {
    return sys::PidFile::holder(host.state_path().string() + ".pid");
}

int do_stop(const Options& o) {
    if (!require_net_admin())
        return no_privilege;
    Host host(default_state_path(o.state_dir));
    // A running agent stops itself: it drains first (drain_timeout) and then undoes.
    if (int pid = agent_pid(host); pid > 0) {
        log::info("asking the running agent (pid " + std::to_string(pid) + ") to drain and stop");
        kill(pid, SIGTERM);
        // Bounded by drain_timeout inside the agent; this wait only guards against a hung one.
        for (int i = 0; i < 36500; ++i) {
            if (agent_pid(host) == 0)
                return ok;
            usleep(100 * 1000);
        }
        log::error("the agent did not stop");
        return failed;
    }
    std::vector<std::string> log_lines;
    bool was_started = host.undo(log_lines);
    for (const auto& l : log_lines)
        log::info(l);
    if (!was_started)
        log::info("not started (no " + host.state_path().string() + "); nothing to undo");
    return ok;
}

// A running agent reloads its file (SIGHUP); without one, start applies the edited file. A bad
// file is refused here, before the agent is bothered.
int do_reload(const Options& o) {
    Config c = load(o);
    if (!require_net_admin())
        return no_privilege;
    if (!c.report_key_file.empty())
        agent::load_key(c.report_key_file); // the agent would refuse the file for it too
    Host host(default_state_path(o.state_dir));
    if (int pid = agent_pid(host); pid > 0) {
        log::info("asking the running agent (pid " + std::to_string(pid) + ") to reload");
        if (!o.vips.empty())
            log::info("VIPs given with --vip are the running agent's own: changing them needs a "
                      "restart");
        if (kill(pid, SIGHUP) != 0)
            return failed;
        // Returns once the agent has applied the file, as a start would: every planned address
        // present and none it added left outside the plan (bounded).
        HostPlan plan = plan_host(load(o));
        auto planned = [&](const AddressPlan& a) {
            return std::any_of(plan.addresses.begin(), plan.addresses.end(), [&](const auto& p) {
                return p.address.str_prefixed() == a.address.str_prefixed() && p.device == a.device;
            });
        };
        for (int i = 0; i < 50; ++i) {
            auto st = load_state(host.state_path());
            if (st && host.inspect(plan).all_applied() &&
                std::all_of(st->addresses.begin(), st->addresses.end(), planned))
                return ok;
            usleep(100 * 1000);
        }
        log::error("the agent did not apply the file within 5 s");
        return failed;
    }
    return do_start(o);
}

// The plan to report against: the config's, or, without one, what the state file recorded.
HostPlan status_plan(const Options& o, const std::optional<State>& st, Config& c) {
    bool have_config = o.config_given || !o.vips.empty() || fs::exists(o.config_file);
    if (have_config) {
        c = load(o);
        return plan_host(c);
    }
    HostPlan p;
    if (st) {
        p.addresses = st->addresses;
        for (const auto& s : st->sysctls)
            p.sysctls.push_back({s.key, s.value});
    }
    return p;
}

int do_status(const Options& o) {
    Host host(default_state_path(o.state_dir));
    Config c;
    HostPlan plan;
    try {
        plan = status_plan(o, load_state(host.state_path()), c);
    } catch (const conf::ConfigError& e) {
        std::cerr << e.what() << "\n";
        return status_unknown;
    }
    HostStatus hs = host.inspect(plan);

    boost::asio::io_context io;
    Readiness r;
    probe_services(io, c.services,
                   [&](std::vector<CheckResult> res) { r = evaluate(hs, std::move(res)); });
    io.run();

    int code = !hs.started ? status_stopped : hs.all_applied() ? ok : failed;
    if (o.json) {
        nlohmann::json j;
        j["state"] = !hs.started ? "stopped" : hs.all_applied() ? "running" : "degraded";
        j["state_file"] = host.state_path().string();
        j["started_at"] = hs.started ? nlohmann::json(hs.state.started_at) : nlohmann::json();
        j["addresses"] = nlohmann::json::array();
        for (const auto& a : hs.addresses)
            j["addresses"].push_back({{"address", a.plan.address.str_prefixed()},
                                      {"device", a.plan.device},
                                      {"label", a.plan.label},
                                      {"present", a.present}});
        j["sysctls"] = nlohmann::json::array();
        for (const auto& s : hs.sysctls)
            j["sysctls"].push_back(
                {{"key", s.key}, {"value", s.actual}, {"want", s.want}, {"original", s.original}});
        j["checks"] = nlohmann::json::array();
        for (const auto& ch : r.checks)
            j["checks"].push_back({{"name", ch.name}, {"ok", ch.ok}, {"detail", ch.detail}});
        j["ready"] = r.ready();
        j["agent"] = r.agent_text();
        std::cout << j.dump(2) << "\n";
        return code;
    }
    std::cout << "lvs-realserver: "
              << (!hs.started        ? "stopped"
                  : hs.all_applied() ? "running"
                                     : "running, but degraded")
              << "\n";
    for (const auto& a : hs.addresses)
        std::cout << "  vip     " << a.plan.address.str_prefixed() << " on " << a.plan.device
                  << (a.plan.label.empty() ? "" : " (" + a.plan.label + ")") << ": "
                  << (a.present ? "present" : "missing") << "\n";
    for (const auto& s : hs.sysctls)
        std::cout << "  sysctl  " << s.key << " = " << (s.actual.empty() ? "(absent)" : s.actual)
                  << (s.actual == s.want ? "" : " (want " + s.want + ")")
                  << (s.original.empty() ? "" : ", was " + s.original + " before start") << "\n";
    for (const auto& ch : r.checks)
        if (ch.name.rfind("service ", 0) == 0)
            std::cout << "  " << ch.name << ": " << ch.detail << "\n";
    std::cout << "  ready: " << (r.ready() ? "yes" : "no (" + r.reason() + ")") << "\n";
    return code;
}

// -t: the file read as start and run read it, and the report key loaded; nothing on the host
// changes. For init scripts and configuration management before they install a file.
int do_check(const Options& o) {
    Config c = load(o);
    if (!c.report_key_file.empty())
        agent::load_key(c.report_key_file);
    return ok;
}

int do_drain(const Options& o, bool drained) {
    if (!require_net_admin())
        return no_privilege;
    Host host(default_state_path(o.state_dir));
    if (!set_drained(host.state_path(), drained)) {
        log::error("not started; nothing to " + std::string(drained ? "drain" : "undrain"));
        return failed;
    }
    log::info(drained ? "drained: directors are told to send no new connections"
                      : "undrained: back in service");
    // A running daemon reports it now rather than at its next round.
    if (int pid = sys::PidFile::holder(host.state_path().string() + ".pid"); pid > 0)
        kill(pid, SIGUSR1);
    return ok;
}

int do_run(const Options& o) {
    Config c = load(o);
    if (!require_net_admin())
        return no_privilege;
    Host host(default_state_path(o.state_dir));
    std::function<Config()> reload = [&o] { return load(o); };
    return run_daemon(std::move(c), reload, host);
}

} // namespace

int main(int argc, char** argv) {
    log::set_program("lvs-realserver");
    Options o;
    po::options_description opts("Options");
    opts.add_options()("help,h", "this help")("config,f", po::value(&o.config_file),
                                              "config file (default /etc/lvsd/realserver.conf)")(
        "vip", po::value(&o.vips)->composing(),
        "VIP to hold, ADDR or ADDR,tun; repeatable. Without --config no file is read")(
        "state-dir", po::value(&o.state_dir),
        "where start records what it changed (default /run/lvsd)")("json", po::bool_switch(&o.json),
                                                                   "status as JSON");
    opts.add_options()("config-test,t", "check the configuration and exit (0: good)")(
        "syslog", po::bool_switch(&o.syslog), "log to syslog instead of stderr");
    po::options_description hidden;
    hidden.add_options()("command", po::value(&o.command));
    po::options_description all;
    all.add(opts).add(hidden);
    po::positional_options_description pos;
    pos.add("command", 1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "lvs-realserver: " << e.what() << "\n" << usage << opts;
        return bad_input;
    }
    if (vm.count("help")) {
        std::cout << usage << opts;
        return ok;
    }
    o.config_given = vm.count("config") > 0;
    if (o.syslog)
        log::use_syslog(true);

    try {
        if (vm.count("config-test"))
            return do_check(o);
        if (o.command == "start")
            return do_start(o);
        if (o.command == "stop")
            return do_stop(o);
        if (o.command == "reload")
            return do_reload(o);
        if (o.command == "status")
            return do_status(o);
        if (o.command == "run")
            return do_run(o);
        if (o.command == "drain" || o.command == "undrain")
            return do_drain(o, o.command == "drain");
        std::cerr << (o.command.empty() ? "lvs-realserver: no command\n"
                                        : "lvs-realserver: unknown command '" + o.command + "'\n")
                  << usage;
        return bad_input;
    } catch (const conf::ConfigError& e) {
        std::cerr << e.what() << "\n";
        return bad_input;
    } catch (const std::exception& e) {
        log::error(e.what());
        return failed;
    }
}
