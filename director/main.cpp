// lvs-director: reads keepalived.conf (or /etc/lvsd/lvsd.conf in the same syntax) with keepalived's
// command line. This issue covers the configuration: -t checks it, --dump-config prints the model.
#include "conf/diagnostic.h"
#include "director/config/checks.h"
#include "director/config/json.h"
#include "director/config/parser.h"

#include <boost/program_options.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

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
    std::cerr << "lvs-director: running the daemon is not implemented yet (VRRP and IPVS come in "
                 "later issues); use -t or --dump-config\n";
    return exit_cannot_run;
}
