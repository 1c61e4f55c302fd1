// `global_defs`: settings shared by every instance and virtual server.
#pragma once

#include "conf/location.h"
#include "director/config/script.h"
#include "net/ip_address.h"

#include <optional>
#include <string>
#include <vector>

namespace lvsd::director::config {

// Which forwarding dataplane (`lvs_dataplane`): auto is IPVS when the kernel has it.
enum class LvsDataplane { automatic, ipvs, nftables };

// `lvs_timeouts [tcp SECS] [tcpfin SECS] [udp SECS]` (ipvsadm --set); unset: left as they are.
struct LvsTimeouts {
    std::optional<unsigned> tcp, tcpfin, udp;
    bool operator==(const LvsTimeouts&) const = default;
};

// `lvs_sync_daemon IFACE [[inst] VRRP_INSTANCE] [id N] [maxlen N] [port N] [ttl N] [group ADDR]`:
// IPVS connection synchronisation. With an instance, the master daemon runs while that instance
// is MASTER and the backup one otherwise; without, both run.
struct LvsSyncDaemon {
    conf::Location where;
    std::string interface;
    std::string vrrp_instance;           // empty: none
    std::optional<unsigned> sync_id;     // 0..255; unset: the instance's VRID, else 0
    std::optional<unsigned> max_len;     // 1..65507
    std::optional<unsigned> port;        // 1..65535; the kernel's default 8848
    std::optional<unsigned> ttl;         // 1..255
    std::optional<net::IpAddress> group; // multicast; the kernel's default 224.0.0.81
};

struct GlobalDefs {
    conf::Location where;
    std::string router_id; // empty: keepalived uses the host name
    std::vector<std::string> notification_email;
    std::string notification_email_from;
    std::string smtp_server; // empty: no mail is sent
    int smtp_port = 25;
    std::string smtp_helo_name;
    double smtp_connect_timeout = 30;
    bool smtp_alert = false;
    bool enable_script_security = false;
    std::string script_user; // empty: keepalived_script, else root
    std::string script_group;
    bool vrrp_strict = false;
    int vrrp_version = 2;
    std::string default_interface;
    int vrrp_rt_priority = 0;  // SCHED_RR priority of the daemon; 0: normal scheduling
    bool vrrp_no_swap = false; // lock the daemon's memory so a page fault cannot delay an advert
    // lvsd's own: readiness reports pushed by lvs-realserver (0: not listened for).
    int agent_report_port = 0;
    std::string agent_key_file;
    std::optional<Script> startup_script;
    std::optional<Script> shutdown_script;
    LvsDataplane lvs_dataplane = LvsDataplane::automatic;
    // lvsd's own: Maglev slots per service of the nftables dataplane, a prime; unset: 4093.
    std::optional<unsigned> lvs_nft_slots;
    std::optional<LvsTimeouts> lvs_timeouts;
    std::optional<LvsSyncDaemon> lvs_sync_daemon;
};

} // namespace lvsd::director::config
