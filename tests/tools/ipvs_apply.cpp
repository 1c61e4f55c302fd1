// Test driver for the IPVS backend: desired table (keepalived.conf or JSON) → read the kernel's
// table → diff → apply, printing every op and every refusal. Used by tests/vm in the guest.
//
//   ipvs_apply [--config FILE | --table FILE.json] [--weight VS:RS=W]... [--dry-run]
//              [--dump] [--stats] [--info] [--timeouts] [--set TCP TCPFIN UDP]
//              [--sync-start STATE IFACE ID [GROUP PORT TTL MAXLEN]] [--sync-stop STATE]
//              [--sync-list]
// Exit status: 0 all applied, 1 an op was refused, 2 usage or configuration error, 3 no IPVS.
#include "conf/diagnostic.h"
#include "director/config/parser.h"
#include "director/dataplane/backend.h"
#include "director/dataplane/desired_table.h"
#include "director/dataplane/diff.h"
#include "director/dataplane/ipvs/ipvs.h"
#include "director/dataplane/table_json.h"

#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

using namespace lvsd;
using namespace lvsd::director;
using namespace lvsd::director::dataplane;

namespace {

[[noreturn]] void usage(const std::string& why) {
    std::cerr
        << "ipvs_apply: " << why << "\n"
        << "usage: ipvs_apply [--config FILE | --table FILE.json] [--weight VS:RS=W]...\n"
           "       [--dry-run] [--dump] [--stats] [--info] [--timeouts] [--set TCP TCPFIN UDP]\n"
           "       [--sync-start master|backup IFACE ID [GROUP PORT TTL MAXLEN]]\n"
           "       [--sync-stop master|backup] [--sync-list]\n";
    std::exit(2);
}

uint32_t number(const std::string& s) {
    try {
        size_t n = 0;
        unsigned long v = std::stoul(s, &n);
        if (n != s.size() || v > 0xffffffffUL)
            throw std::invalid_argument(s);
        return static_cast<uint32_t>(v);
    } catch (const std::exception&) {
        usage("not a number: '" + s + "'");
    }
}

ipvs::SyncState sync_state(const std::string& s) {
    if (s == "master")
        return ipvs::SyncState::master;
    if (s == "backup")
        return ipvs::SyncState::backup;
    usage("sync daemon state is master or backup, not '" + s + "'");
}

std::string str(ipvs::SyncState s) {
    return s == ipvs::SyncState::master ? "master" : "backup";
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string config_file, table_file;
    WeightOverrides weights;
    bool dry_run = false, dump = false, stats = false, info = false, show_timeouts = false,
         sync_list = false;
    std::optional<ipvs::Timeouts> set_timeouts;
    std::optional<ipvs::SyncDaemon> sync_start;
    std::optional<ipvs::SyncState> sync_stop;

    for (size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        auto next = [&]() -> const std::string& {
            if (i + 1 >= args.size())
                usage(a + " needs a value");
            return args[++i];
        };
        if (a == "--config")
            config_file = next();
        else if (a == "--table")
            table_file = next();
        else if (a == "--weight") {
            const auto& w = next();
            auto colon = w.find(':'), eq = w.find('=');
            if (colon == std::string::npos || eq == std::string::npos || eq < colon)
                usage("--weight takes VS:RS=WEIGHT (indices in the config)");
            weights[RealServerRef{number(w.substr(0, colon)),
                                  number(w.substr(colon + 1, eq - colon - 1))}] =
                static_cast<int>(number(w.substr(eq + 1)));
        } else if (a == "--dry-run")
            dry_run = true;
        else if (a == "--dump")
            dump = true;
        else if (a == "--stats")
            stats = true;
        else if (a == "--info")
            info = true;
        else if (a == "--timeouts")
            show_timeouts = true;
        else if (a == "--set") {
            ipvs::Timeouts t;
            t.tcp = number(next());
            t.tcp_fin = number(next());
            t.udp = number(next());
            set_timeouts = t;
        } else if (a == "--sync-start") {
            ipvs::SyncDaemon d;
            d.state = sync_state(next());
            d.interface = next();
            d.sync_id = number(next());
            if (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) {
                auto g = net::IpAddress::parse(next());
                if (!g)
                    usage("bad multicast group");
                d.group = *g;
                d.port = static_cast<uint16_t>(number(next()));
                d.ttl = static_cast<uint8_t>(number(next()));
                d.max_len = static_cast<uint16_t>(number(next()));
            }
            sync_start = d;
        } else if (a == "--sync-stop")
            sync_stop = sync_state(next());
        else if (a == "--sync-list")
            sync_list = true;
        else
            usage("unknown argument '" + a + "'");
    }
    if (!config_file.empty() && !table_file.empty())
        usage("--config and --table exclude each other");

    std::optional<Table> desired;
    if (!config_file.empty()) {
        conf::Diagnostics diags;
        config::Config c;
        try {
            c = config::load_config(config_file, "", diags);
        } catch (const std::exception& e) {
            std::cerr << "ipvs_apply: " << e.what() << "\n";
            return 2;
        }
        for (const auto& d : diags.all())
            std::cerr << d.str() << "\n";
        if (diags.has_errors())
            return 2;
        auto dt = desired_table(c, weights);
        for (const auto& n : dt.notes)
            std::cout << "note: " << n << "\n";
        desired = std::move(dt.table);
    } else if (!table_file.empty()) {
        try {
            std::ifstream in(table_file);
            if (!in)
                throw std::runtime_error("cannot read " + table_file);
            desired = table_from_json(nlohmann::json::parse(in));
        } catch (const std::exception& e) {
            std::cerr << "ipvs_apply: " << table_file << ": " << e.what() << "\n";
            return 2;
        }
    }

    int rc = 0;
    try {
        ipvs::Ipvs kernel;
        if (info) {
            auto i = kernel.info();
            std::cout << "IPVS " << i.version_str() << " conn_table_size " << i.conn_table_size
                      << "\n";
        }
        if (desired) {
            auto print_ops = [](const std::vector<Op>& ops) {
                std::cout << "ops: " << ops.size() << "\n";
                for (const auto& op : ops)
                    std::cout << "op: " << op.str() << "\n";
            };
            if (dry_run) {
                print_ops(diff(*desired, kernel.read_table()));
            } else {
                auto r = reconcile(kernel, *desired);
                print_ops(r.ops);
                for (const auto& e : r.errors)
                    std::cout << "error: " << e.str() << "\n";
                for (const auto& s : r.skipped)
                    std::cout << "skipped: " << s.str() << "\n";
                std::cout << "applied: " << r.applied << " refused: " << r.errors.size()
                          << " skipped: " << r.skipped.size() << "\n";
                if (!r.errors.empty())
                    rc = 1;
            }
        }
        if (set_timeouts)
            kernel.set_timeouts(*set_timeouts);
        if (show_timeouts) {
            auto t = kernel.timeouts();
            std::cout << "timeouts: " << t.tcp << " " << t.tcp_fin << " " << t.udp << "\n";
        }
        if (sync_start)
            kernel.start_sync_daemon(*sync_start);
        if (sync_stop)
            kernel.stop_sync_daemon(*sync_stop);
        if (sync_list)
            for (const auto& d : kernel.sync_daemons()) {
                std::cout << "sync: " << str(d.state) << " " << d.interface << " id " << d.sync_id;
                if (d.group)
                    std::cout << " group " << d.group->str();
                if (d.port)
                    std::cout << " port " << *d.port;
                if (d.ttl)
                    std::cout << " ttl " << int(*d.ttl);
                if (d.max_len)
                    std::cout << " maxlen " << *d.max_len;
                std::cout << "\n";
            }
        if (stats) {
            auto line = [](const std::string& what, const Stats& st) {
                std::cout << "stats: " << what << " conns " << st.conns << " inpkts " << st.inpkts
                          << " outpkts " << st.outpkts << " inbytes " << st.inbytes << " outbytes "
                          << st.outbytes << "\n";
            };
            for (const auto& [key, svc] : kernel.read_table().services) {
                line(key.str(), svc.stats);
                for (const auto& [dk, d] : svc.destinations)
                    line(key.str() + " -> " + dk.str(), d.stats);
            }
        }
        if (dump)
            std::cout << to_json(kernel.read_table()).dump(1) << "\n";
    } catch (const ipvs::GenlError& e) {
        std::cerr << "ipvs_apply: " << e.what() << "\n";
        return e.error() == ENOENT ? 3 : 1;
    }
    return rc;
}
