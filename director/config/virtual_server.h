// `virtual_server ADDR PORT | fwmark N | group NAME { ... }`: one IPVS service.
#pragma once

#include "conf/location.h"
#include "director/config/lvs_method.h"
#include "director/config/real_server.h"
#include "director/config/script.h"
#include "net/ip_address.h"

#include <optional>
#include <string>
#include <vector>

namespace lvsd::director::config {

enum class VirtualServerKind { address, fwmark, group };
enum class Protocol { tcp, udp, sctp };

struct SorryServer {
    conf::Location where;
    net::IpAddress address;
    int port = 0;
};

struct VirtualServer {
    conf::Location where;
    VirtualServerKind kind = VirtualServerKind::address;
    net::IpAddress address; // kind address
    int port = 0;           // kind address; 0: all ports (persistent services)
    unsigned fwmark = 0;    // kind fwmark
    std::string group;      // kind group
    double delay_loop = 60; // seconds between checks
    std::string lvs_sched = "wlc";
    LvsMethod lvs_method = LvsMethod::nat;
    TunnelOptions tunnel; // lvs_method tun
    // Scheduler flags (ipvsadm -b): sh-fallback and mh-fallback are flag 1, sh-port and mh-port
    // flag 2; keepalived takes those four only once lvs_sched is sh or mh.
    bool sched_flag_1 = false;
    bool sched_flag_2 = false;
    bool sched_flag_3 = false;
    bool ops = false;                                      // one-packet scheduling (UDP only)
    std::string persistence_engine;                        // "sip"; empty: none
    std::optional<unsigned> persistence_timeout;           // unset (or written 0): no persistence
    std::optional<net::IpAddress> persistence_granularity; // a netmask
    Protocol protocol = Protocol::tcp;
    std::optional<SorryServer> sorry_server;
    int quorum = 1; // total weight of live servers needed for quorum_up
    int hysteresis = 0;
    std::optional<Script> quorum_up;
    std::optional<Script> quorum_down;
    bool alpha = false;              // servers start down until a check succeeds
    bool omega = false;              // run notify_down and quorum_down on shutdown too
    bool inhibit_on_failure = false; // failed servers get weight 0 rather than removal
    std::string virtualhost;
    std::vector<RealServer> real_servers;
};

} // namespace lvsd::director::config
