// The kernel's IPVS over generic netlink (family "IPVS"): read the table, apply diff() ops one
// message each, connection timeouts (`ipvsadm --set`) and the connection sync daemon.
#pragma once

#include "director/dataplane/backend.h"
#include "director/dataplane/diff.h"
#include "director/dataplane/ipvs/genl_socket.h"
#include "director/dataplane/table.h"
#include "net/ip_address.h"

#include <optional>
#include <string>
#include <vector>

namespace lvsd::director::dataplane::ipvs {

struct Info {
    uint32_t version = 0; // IP_VS_VERSION_CODE, 0x010201 = 1.2.1
    uint32_t conn_table_size = 0;
    std::string version_str() const; // "1.2.1"
};

// Connection timeouts in seconds; 0 leaves (set) or means (read) the kernel's value unchanged.
struct Timeouts {
    uint32_t tcp = 0, tcp_fin = 0, udp = 0;
    bool operator==(const Timeouts&) const = default;
};

enum class SyncState : uint32_t { master = 1, backup = 2 }; // IP_VS_STATE_*

struct SyncDaemon {
    SyncState state = SyncState::master;
    std::string interface;
    uint32_t sync_id = 0; // 0..255
    // Unset: the kernel's defaults (payload from the MTU, 224.0.0.81 / ff02::81?, 8848, TTL 1).
    std::optional<uint16_t> max_len;
    std::optional<net::IpAddress> group;
    std::optional<uint16_t> port;
    std::optional<uint8_t> ttl;
};

class Ipvs : public Backend {
public:
    Ipvs(); // throws GenlError (errno ENOENT: the kernel has no IPVS)

    Info info();
    Table read_table() override; // every service with its destinations and counters
    // Each op its own message; a refused op is reported and the rest continue.
    ApplyResult apply(const std::vector<Op>& ops) override;

    Timeouts timeouts();
    void set_timeouts(const Timeouts& t); // throws GenlError

    std::vector<SyncDaemon> sync_daemons();
    void start_sync_daemon(const SyncDaemon& d); // throws GenlError
    void stop_sync_daemon(SyncState state);      // throws GenlError

    // One op, for callers that sequence their own: 0 or errno.
    int apply_one(const Op& op);

private:
    GenlSocket sock_;
};

} // namespace lvsd::director::dataplane::ipvs
