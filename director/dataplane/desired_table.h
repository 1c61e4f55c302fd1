// Config → the table the kernel should hold: one service per virtual_server (several for a
// virtual_server group, one per address, range member or fwmark of the group), each with its
// real servers at their configured weight unless the health checks have lowered it.
#pragma once

#include "director/config/config.h"
#include "director/dataplane/table.h"

#include <compare>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lvsd::director::dataplane {

// A real server as configured: config.virtual_servers[virtual_server].real_servers[real_server].
struct RealServerRef {
    size_t virtual_server = 0;
    size_t real_server = 0;
    auto operator<=>(const RealServerRef&) const = default;
};

// Weights that replace the configured ones (0: drained), set by health checking.
using WeightOverrides = std::map<RealServerRef, int>;

// Connection timeouts in seconds (ipvsadm --set); 0 leaves the kernel's value as it is.
struct ConnTimeouts {
    uint32_t tcp = 0, tcp_fin = 0, udp = 0;
    bool operator==(const ConnTimeouts&) const = default;
};

// The connection sync daemon(s) to run. vrrp_instance empty: master and backup both run;
// otherwise the master one while that instance is MASTER, the backup one while it is not.
struct SyncDaemonSpec {
    std::string interface;
    std::string vrrp_instance;
    uint8_t sync_id = 0; // as configured, else the instance's VRID, else 0
    std::optional<uint16_t> max_len;
    std::optional<net::IpAddress> group;
    std::optional<uint16_t> port;
    std::optional<uint8_t> ttl;
    bool operator==(const SyncDaemonSpec&) const = default;
};

struct DesiredTable {
    Table table;
    std::optional<ConnTimeouts> timeouts;      // global_defs lvs_timeouts
    std::optional<SyncDaemonSpec> sync_daemon; // global_defs lvs_sync_daemon
    std::vector<std::string> notes;            // what was left out and why ("file:line: ...")
};

DesiredTable desired_table(const config::Config& config, const WeightOverrides& weights = {});

} // namespace lvsd::director::dataplane
