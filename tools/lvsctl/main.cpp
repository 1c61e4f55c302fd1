// lvsctl: the operator's view of a running lvs-director, over its control socket (root only).
//
//   lvsctl [--socket PATH] list [--stats|--rate|--thresholds|--persistent-conn|--tun-info]
//                               [--exact] [--json]
//   lvsctl [--socket PATH] vrrp [--json]
//
// `list` prints the forwarding table the way `ipvsadm -Ln` does, whichever dataplane is live.
// Exit status: 0 done, 1 usage error or the daemon refused or failed the request, 3 the daemon
// cannot be reached (not running, no access to its socket, no answer).
#include "director/control/client.h"
#include "director/control/commands.h"
#include "director/control/control_server.h"
#include "director/control/ipvsadm_format.h"
#include "director/control/vrrp_format.h"
#include "director/dataplane/table_json.h"

#include <cstdio>
#include <iostream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace lvsd::director;
using nlohmann::json;

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failed = 1;
constexpr int exit_unreachable = 3;

const char* usage_text =
    "Usage: lvsctl [--socket PATH] COMMAND [options]\n"
    "\n"
    "Commands:\n"
    "  list [--stats|--rate|--thresholds|--persistent-conn|--tun-info] [--exact] [--json]\n"
    "                 the virtual services and their real servers, as `ipvsadm -Ln` lists them\n"
    "  vrrp [--json]  the VRRP instances: state, priority, master, adverts\n"
    "\n"
    "Options:\n"
    "  --socket PATH  lvs-director's control socket (default: %s)\n"
    "  --help, -h     this help\n"
    "\n"
    "Exit status: 0 done, 1 usage error or the request failed, 3 lvs-director cannot be reached.\n";

void usage(FILE* to) {
    std::fprintf(to, usage_text, control::default_socket_path().c_str());
}

int fail(const std::string& message, int status) {
    std::cerr << "lvsctl: " << message << "\n";
    return status;
}

// The reply's error, when the daemon refused or failed the request.
bool failed(const json& reply, std::string& error) {
    if (reply.value("ok", false))
        return false;
    auto e = reply.find("error");
    error = e != reply.end() && e->is_string() ? e->get<std::string>() : "request failed";
    return true;
}

std::string header_line(const control::BackendInfo& b) {
    if (b.ipvs_version)
        return control::version_line({*b.ipvs_version, b.conn_table_size.value_or(0)});
    return "lvs-director dataplane " + (b.name.empty() ? std::string("(none)") : b.name) + "\n";
}

int list(const json& reply, const control::ListOptions& options, bool as_json) {
    try {
        json backend = reply.value("backend", json::object());
        const json& table_json = reply.at("table");
        if (as_json) {
            json out = {{"backend", backend}, {"services", table_json.at("services")}};
            std::cout << out.dump(2) << "\n";
            return exit_ok;
        }
        auto table = dataplane::table_from_json(table_json, dataplane::Counters::read);
        control::BackendInfo info;
        if (backend.contains("name"))
            info = control::backend_info_from_json(backend);
        std::cout << header_line(info) << control::format_listing(table, options);
        return exit_ok;
    } catch (const std::exception& e) {
        return fail(std::string("unexpected reply from lvs-director: ") + e.what(), exit_failed);
    }
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string socket_path;
    std::string command;
    control::ListOptions options;
    bool as_json = false;
    int layouts = 0;

    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto layout = [&](control::ListLayout l) {
            options.layout = l;
            ++layouts;
        };
        if (a == "--help" || a == "-h") {
            usage(stdout);
            return exit_ok;
        } else if (a == "--socket" || a.rfind("--socket=", 0) == 0) {
            if (a == "--socket") {
                if (i + 1 >= args.size())
                    return fail("--socket needs a path", exit_failed);
                socket_path = args[++i];
            } else {
                socket_path = a.substr(9);
            }
        } else if (a == "--json") {
            as_json = true;
        } else if (a == "--stats") {
            layout(control::ListLayout::stats);
        } else if (a == "--rate") {
            layout(control::ListLayout::rate);
        } else if (a == "--thresholds") {
            layout(control::ListLayout::thresholds);
        } else if (a == "--persistent-conn") {
            layout(control::ListLayout::persistent_conn);
        } else if (a == "--tun-info") {
            layout(control::ListLayout::tun_info);
        } else if (a == "--exact") {
            options.exact = true;
        } else if (a == "-n" || a == "--numeric") {
            // addresses are always numeric; accepted for ipvsadm's habit
        } else if (!a.empty() && a[0] == '-') {
            usage(stderr);
            return fail("unknown option '" + a + "'", exit_failed);
        } else if (command.empty()) {
            command = a;
        } else {
            usage(stderr);
            return fail("unexpected argument '" + a + "'", exit_failed);
        }
    }
    if (command.empty()) {
        usage(stderr);
        return fail("no command given", exit_failed);
    }
    if (command != "list" && command != "vrrp") {
        usage(stderr);
        return fail("unknown command '" + command + "'", exit_failed);
    }
    if (layouts > 1)
        return fail("--stats, --rate, --thresholds, --persistent-conn and --tun-info exclude "
                    "each other",
                    exit_failed);
    if (command == "vrrp" && (layouts || options.exact))
        return fail("vrrp takes only --json", exit_failed);
    if (socket_path.empty())
        socket_path = control::default_socket_path();

    json reply;
    try {
        reply = control::request(socket_path, {{"command", command}});
    } catch (const control::Unreachable& e) {
        std::string message = e.what();
        // Not root: the socket's mode (or, off the host's namespace, its path) keeps us out.
        if (geteuid() != 0 && message.find("root") == std::string::npos)
            message += " (lvsctl is for root)";
        return fail(message, exit_unreachable);
    }
    if (std::string error; failed(reply, error))
        return fail("lvs-director: " + error, exit_failed);

    if (command == "list")
        return list(reply, options, as_json);
    json instances = reply.value("vrrp_instances", json::array());
    if (as_json)
        std::cout << instances.dump(2) << "\n";
    else
        std::cout << control::format_vrrp(instances);
    return exit_ok;
}
