// Test-only: a control socket serving a fixed table, as lvs-director's would, for lvsctl's
// end-to-end test (tests/integration/lvsctl.sh).
//
//   control_test_server SOCKET (--table FILE.json | --config keepalived.conf) [--backend NAME]
//
// The table JSON may carry counters (dataplane::to_json's "stats", "active_conns", ...); a
// config is turned into its desired table. Backend "ipvs" (default) reports IPVS 1.2.1 with a
// 4096-entry connection table. Answers "vrrp" with two fixed instances. Prints "ready" once it
// listens; stops on SIGTERM or SIGINT. Exit status 1 when the socket cannot be made.
#include "conf/diagnostic.h"
#include "director/config/parser.h"
#include "director/control/commands.h"
#include "director/control/control_server.h"
#include "director/dataplane/desired_table.h"
#include "director/dataplane/table_json.h"

#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <fstream>
#include <iostream>

using namespace lvsd;
using namespace lvsd::director;
using nlohmann::json;

int main(int argc, char** argv) {
    if (argc < 4) {
        std::cerr << "usage: control_test_server SOCKET (--table FILE.json | --config FILE) "
                     "[--backend NAME]\n";
        return 2;
    }
    std::string socket = argv[1], kind = argv[2], file = argv[3];
    std::string backend = argc >= 6 && std::string(argv[4]) == "--backend" ? argv[5] : "ipvs";
    dataplane::Table table;
    try {
        if (kind == "--table") {
            std::ifstream in(file);
            table = dataplane::table_from_json(json::parse(in), dataplane::Counters::read);
        } else {
            conf::Diagnostics diags;
            auto config = config::load_config(file, "", diags);
            if (diags.has_errors())
                throw std::runtime_error(file + " has errors");
            table = dataplane::desired_table(config).table;
        }
    } catch (const std::exception& e) {
        std::cerr << "control_test_server: " << e.what() << "\n";
        return 2;
    }

    control::Sources sources;
    sources.table = [table] { return table; };
    sources.backend = [backend] {
        control::BackendInfo b{backend, std::nullopt, std::nullopt};
        if (backend == "ipvs") {
            b.ipvs_version = 0x010201;
            b.conn_table_size = 4096;
        }
        return b;
    };
    sources.vrrp_instances = [] {
        return json::array({{{"name", "VI_1"},
                             {"interface", "eth0"},
                             {"vrid", 51},
                             {"state", "MASTER"},
                             {"priority", 150},
                             {"effective_priority", 150},
                             {"master", "192.0.2.1"},
                             {"adverts_sent", 1234},
                             {"adverts_received", 0},
                             {"dropped_total", 0}},
                            {{"name", "VI_6"},
                             {"interface", "eth1"},
                             {"vrid", 52},
                             {"state", "BACKUP"},
                             {"priority", 100},
                             {"effective_priority", 90},
                             {"master", "fe80::1"},
                             {"adverts_sent", 0},
                             {"adverts_received", 987},
                             {"dropped_total", 3}}});
    };

    boost::asio::io_context io;
    control::ControlServer server(io, socket, control::make_handler(sources));
    try {
        server.start();
    } catch (const std::exception& e) {
        std::cerr << "control_test_server: " << e.what() << "\n";
        return 1;
    }
    boost::asio::signal_set signals(io, SIGTERM, SIGINT);
    signals.async_wait([&](const boost::system::error_code&, int) {
        server.stop();
        io.stop();
    });
    std::signal(SIGPIPE, SIG_IGN);
    std::cout << "ready" << std::endl;
    io.run();
    return 0;
}
