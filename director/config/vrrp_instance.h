// `vrrp_instance NAME { ... }`: one VRRP router (RFC 3768 / 5798) and the addresses it moves.
#pragma once

#include "conf/location.h"
#include "director/config/authentication.h"
#include "director/config/notify.h"
#include "director/config/tracked.h"
#include "director/config/virtual_address.h"
#include "director/config/virtual_route.h"
#include "net/ip_address.h"

#include <optional>
#include <string>
#include <vector>

namespace lvsd::director::config {

enum class VrrpState { backup, master };

struct UnicastPeer {
    conf::Location where;
    net::IpAddress address;
};

struct VrrpInstance {
    conf::Location where;
    std::string name;
    VrrpState state = VrrpState::backup; // only the start state; the election decides
    std::string interface;
    conf::Location interface_where;
    int virtual_router_id = 0; // 0: not set, which is an error
    int priority = 100;
    double advert_int = 1; // seconds; v3 sends centiseconds, so two decimals are kept
    int version = 0;       // 0 while parsing: global_defs' vrrp_version then applies
    std::optional<Authentication> authentication;
    std::vector<VirtualAddress> virtual_ipaddress;
    std::vector<VirtualAddress> virtual_ipaddress_excluded;
    std::vector<VirtualRoute> virtual_routes;
    std::vector<Tracked> track_interface;
    std::vector<Tracked> track_script;
    std::optional<net::IpAddress> unicast_src_ip;
    std::vector<UnicastPeer> unicast_peer;
    std::optional<net::IpAddress> mcast_src_ip;
    Notify notify;
    std::optional<bool> smtp_alert; // unset: global_defs decides
    bool preempt = true;
    double preempt_delay = 0; // seconds
    double garp_master_delay = 5;
    int garp_master_repeat = 5;
    double garp_master_refresh = 0; // 0: no periodic refresh
    int garp_master_refresh_repeat = 1;
};

} // namespace lvsd::director::config
