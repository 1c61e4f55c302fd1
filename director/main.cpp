// lvs-director: reads keepalived.conf (or /etc/lvsd/lvsd.conf in the same syntax) with keepalived's
// command line: -t checks the configuration, --dump-config prints the model, and without either
// it runs the daemon (in the background unless -n).
#include "conf/diagnostic.h"
#include "director/config/checks.h"
#include "director/config/json.h"
#include "director/config/parser.h"
#include "director/daemon/daemon.h"
#include "director/daemon/realtime.h"
#include "log/log.h"
#include "sys/pidfile.h"
#include "sys/privilege.h"

#include <boost/program_options.hpp>

#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unistd.h>

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace lvsd;

namespace {

// keepalived's exit codes, so that scripts written for `keepalived -t` keep working.
constexpr int exit_ok = 0;
constexpr int exit_cannot_run = 3;
constexpr int exit_config_errors = 4;

fs::path default_config() {
    const fs::path ours = "/etc/lvsd/lvsd.conf";
    const fs::path keepalived = "/etc/keepalived/keepalived.conf";
    std::error_code ec;
    return fs::exists(ours, ec) || !fs::exists(keepalived, ec) ? ours : keepalived;
}

// Per network namespace, like lvs-realserver's state: two directors in two namespaces of one
// host (the test lab) must not share a pid file.
std::string run_name(const std::string& base, const std::string& suffix) {
    std::string tag = sys::netns_tag();
    return base + (tag.empty() ? "" : "." + tag) + suffix;
}

// Leaves the terminal. The parent returns once the child has taken over the pid file, so that an
// init script reading it right after `start` finds the daemon, not the parent.
void daemonize(bool keep_console, sys::PidFile& pidfile) {
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) != 0) {
        std::perror("lvs-director: pipe");
        std::exit(exit_cannot_run);
    }
    pid_t pid = fork();
    if (pid < 0) {
        std::perror("lvs-director: fork");
        std::exit(exit_cannot_run);
    }
    if (pid > 0) {
        close(ready[1]);
        char c = 0;
        ssize_t n = read(ready[0], &c, 1); // EOF without a byte: the child failed
        std::_Exit(n == 1 ? exit_ok : exit_cannot_run);
    }
    close(ready[0]);
    setsid();
    pidfile.rewrite();
    if (write(ready[1], "1", 1) != 1)
        std::perror("lvs-director: telling the parent");
    close(ready[1]);
    if (chdir("/") != 0)
        std::perror("lvs-director: chdir /");
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        if (!keep_console) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
        }
        close(null);
    }
}

int run_daemon(const po::variables_map& vm, const fs::path& file, director::config::Config config) {
    log::set_program("lvs-director");
    if (!sys::has_net_admin()) {
        std::cerr << "lvs-director: needs root (CAP_NET_ADMIN and CAP_NET_RAW) to hold virtual "
                     "addresses and send VRRP\n";
        return exit_cannot_run;
    }
    fs::path pid_path = vm.count("pid") ? fs::path(vm["pid"].as<std::string>())
                                        : fs::path(run_name("/run/lvs-director", ".pid"));
    bool foreground = vm.count("dont-fork") > 0;
    bool console = vm.count("log-console") > 0;
    try {
        sys::PidFile pidfile(pid_path);
        if (!foreground) {
            daemonize(console, pidfile);
            log::use_syslog(!console);
        }
        if (auto failed = director::use_realtime(config.global_defs.vrrp_rt_priority,
                                                 config.global_defs.vrrp_no_swap);
            !failed.empty())
            log::warning(failed);
        director::DaemonOptions opts;
        opts.config_file = file;
        opts.config_id = vm.count("config-id") ? vm["config-id"].as<std::string>() : "";
        opts.stats_file = run_name("/run/lvsd/director", ".stats.json");
        director::Daemon daemon(std::move(opts), std::move(config));
        return daemon.run();
    } catch (const std::exception& e) {
        log::error(e.what());
        return exit_cannot_run;
    }
}

void print_diagnostics(const conf::Diagnostics& d) {
    std::string out;
    for (const auto& diag : d.all()) {
        out += diag.str();
        out += '\n';
    }
    std::fwrite(out.data(), 1, out.size(), stderr);
}

} // namespace

int main(int argc, char** argv) {
    po::options_description opts("Options");
    // clang-format off
    opts.add_options()
        ("use-file,f", po::value<std::string>(), "configuration file (default /etc/lvsd/lvsd.conf, "
                                                  "else /etc/keepalived/keepalived.conf)")
        ("config-test,t", "check the configuration and exit")
        ("dump-config", "print the normalized configuration as JSON and exit")
        ("config-id,i", po::value<std::string>(), "the id that @ID lines of the configuration match")
        ("dont-fork,n", "stay in the foreground")
        ("log-console,l", "log to the console")
        ("log-detail,D", "log in detail")
        ("pid,p", po::value<std::string>(), "pid file")
        ("help,h", "show this help")
        ("version,v", "show the version");
    // clang-format on
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, opts), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "lvs-director: " << e.what() << "\n" << opts;
        return exit_cannot_run;
    }
    if (vm.count("help")) {
        std::cout << "Usage: lvs-director [options]\n" << opts;
        return exit_ok;
    }
    if (vm.count("version")) {
        std::cout << "lvs-director " LVSD_VERSION "\n";
        return exit_ok;
    }

    fs::path file =
        vm.count("use-file") ? fs::path(vm["use-file"].as<std::string>()) : default_config();
    std::error_code dir_ec;
    if (fs::is_directory(file, dir_ec)) {
        std::cerr << file.string() << ": error: cannot read the configuration: is a directory\n";
        return exit_cannot_run;
    }
    if (!std::ifstream(file)) {
        std::cerr << file.string() << ": error: cannot read the configuration: "
                  << std::error_code(errno, std::generic_category()).message() << "\n";
        return exit_cannot_run;
    }

    conf::Diagnostics diags;
    director::config::Config config;
    try {
        config = director::config::load_config(
            file, vm.count("config-id") ? vm["config-id"].as<std::string>() : "", diags);
    } catch (const conf::ConfigError& e) {
        diags.add(e.diagnostic());
    }
    bool test = vm.count("config-test") > 0;
    if (test)
        director::config::check_host(config, diags);
    print_diagnostics(diags);
    if (diags.has_errors())
        return exit_config_errors;

    if (vm.count("dump-config")) {
        std::cout << director::config::to_json_text(config) << "\n";
        return exit_ok;
    }
    if (test)
        return exit_ok;
    return run_daemon(vm, file, std::move(config));
}
