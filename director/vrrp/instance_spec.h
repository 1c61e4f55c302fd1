// Everything one running VRRP instance needs, resolved from the checked configuration: protocol
// parameters, what to accept, what to advertise and which addresses to move. Pure data, built by
// a pure function, compared on reload to keep an unchanged instance running untouched.
#pragma once

#include "director/config/config.h"
#include "net/ip_address.h"
#include "net/route_socket.h"
#include "vrrp/packet.h"
#include "vrrp/state_machine.h"

#include <optional>
#include <string>
#include <vector>

namespace lvsd::vrrp {

struct Vip {
    net::IpAddress address; // with its prefix length
    std::string dev;        // the instance's interface unless the line named another
    std::string label;
    std::string scope;      // empty: global
    bool advertised = true; // false for virtual_ipaddress_excluded
    bool operator==(const Vip&) const = default;
};

// A `virtual_routes` entry: present while MASTER. The device is resolved when it is added.
struct VirtualRoute {
    net::Route route; // ifindex left 0
    std::string dev;  // empty: the kernel picks it from `via`
    bool operator==(const VirtualRoute&) const = default;
};

struct GarpSettings {
    Duration master_delay{5'000'000}; // the second burst after becoming master; 0: none
    int master_repeat = 5;
    Duration master_refresh{0}; // periodic bursts while master; 0: none
    int master_refresh_repeat = 1;
    bool operator==(const GarpSettings&) const = default;
};

struct InstanceSpec {
    std::string name;
    std::string interface;
    int family = 0; // of the adverts: AF_INET or AF_INET6
    InstanceParams params;
    Expected expected;
    Advert advert; // priority left 0: the state machine's priority goes in at each send
    std::vector<Vip> vips;
    std::vector<VirtualRoute> routes;
    std::optional<net::IpAddress> source; // unicast_src_ip / mcast_src_ip; else the interface's
    std::vector<net::IpAddress> unicast_peers; // empty: multicast
    GarpSettings garp;
    bool operator==(const InstanceSpec&) const;
    // The same instance but for its addresses (VIPs, excluded VIPs, virtual routes) and garp
    // settings: what a reload changes in place (Instance::update), without a state change.
    bool same_but_addresses(const InstanceSpec& o) const;
};

// One spec per vrrp_instance of a configuration that passed the checks (config::load_config
// without errors).
std::vector<InstanceSpec> build_specs(const director::config::Config& c);

} // namespace lvsd::vrrp
