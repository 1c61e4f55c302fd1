// Test driver for the IPVS backend: desired table (keepalived.conf or JSON) → read the kernel's
// table → diff → apply, printing every op and every refusal. Used by tests/vm in the guest.
//
//   ipvs_apply [--config FILE | --table FILE.json] [--weight VS:RS=W]... [--dry-run]
//              [--dump] [--stats] [--info] [--timeouts] [--set TCP TCPFIN UDP]
//              [--sync-start STATE IFACE ID [GROUP PORT TTL MAXLEN]] [--sync-stop STATE]
//              [--sync-list]
// Exit status: 0 all applied, 1 an op was refused, 2 usage or configuration error, 3 no IPVS.
#include "apply_tool.h"
#include "director/dataplane/ipvs/ipvs.h"
#include "director/dataplane/table_json.h"

#include <iostream>

using namespace lvsd;
using namespace lvsd::director;
using namespace lvsd::director::dataplane;

namespace {

tools::ApplyTool
    tool("ipvs_apply",
         "usage: ipvs_apply [--config FILE | --table FILE.json] [--weight VS:RS=W]...\n"
         "       [--dry-run] [--dump] [--stats] [--info] [--timeouts] [--set TCP TCPFIN UDP]\n"
         "       [--sync-start master|backup IFACE ID [GROUP PORT TTL MAXLEN]]\n"
         "       [--sync-stop master|backup] [--sync-list]\n");

uint32_t number(const std::string& s) {
    return tool.number(s);
}

ipvs::SyncState sync_state(const std::string& s) {
    if (s == "master")
        return ipvs::SyncState::master;
    if (s == "backup")
        return ipvs::SyncState::backup;
    tool.usage("sync daemon state is master or backup, not '" + s + "'");
}

std::string str(ipvs::SyncState s) {
    return s == ipvs::SyncState::master ? "master" : "backup";
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    bool dry_run = false, dump = false, stats = false, info = false, show_timeouts = false,
         sync_list = false;
    std::optional<ipvs::Timeouts> set_timeouts;
    std::optional<ipvs::SyncDaemon> sync_start;
    std::optional<ipvs::SyncState> sync_stop;

    for (size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        auto next = [&]() -> const std::string& { return tool.next(args, i); };
        if (tool.shared_option(args, i))
            continue;
        if (a == "--dry-run")
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
                    tool.usage("bad multicast group");
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
            tool.usage("unknown argument '" + a + "'");
    }
    int rc = 0;
    auto desired = tool.desired(rc);
    if (rc)
        return rc;

    try {
        ipvs::Ipvs kernel;
        if (info) {
            auto i = kernel.info();
            std::cout << "IPVS " << i.version_str() << " conn_table_size " << i.conn_table_size
                      << "\n";
        }
        if (desired) {
            if (dry_run)
                tools::ApplyTool::print_ops(diff(*desired, kernel.read_table()));
            else
                rc = tools::ApplyTool::print_result(reconcile(kernel, *desired));
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
