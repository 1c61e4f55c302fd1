// Addresses and links through rtnetlink (libnl-route). The one place in the project that talks
// to the kernel about interface addresses.
#pragma once

#include "net/ip_address.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct nl_sock;

namespace lvsd::net {

// A refused netlink request: what was asked, and libnl's reason.
class NetlinkError : public std::runtime_error {
public:
    NetlinkError(const std::string& what, int nl_code);
    int code() const { return code_; } // negative libnl error (NLE_*)
    bool permission_denied() const;

private:
    int code_;
};

struct InterfaceAddress {
    IpAddress address; // with its prefix length
    int ifindex = 0;
    std::string label; // IPv4 only; "" for IPv6
};

bool contains(const std::vector<InterfaceAddress>& list, int ifindex, const IpAddress& a);

// A route as `ip route` writes it; unset fields are left to the kernel.
struct Route {
    IpAddress destination; // with its prefix length
    std::optional<IpAddress> via;
    std::optional<IpAddress> source; // preferred source (`src`)
    int ifindex = 0;
    std::string table = "main"; // a name of /etc/iproute2/rt_tables' defaults, or a number
    std::string scope;          // empty: the kernel's default for the route
    std::string type;           // empty: unicast; blackhole, unreachable, prohibit, throw
    std::optional<unsigned> metric;
    bool operator==(const Route&) const = default;
};

class RouteSocket {
public:
    RouteSocket();
    ~RouteSocket();
    RouteSocket(const RouteSocket&) = delete;
    RouteSocket& operator=(const RouteSocket&) = delete;

    // 0 when there is no such interface.
    int ifindex(const std::string& name);
    bool is_up(int ifindex);
    // IFF_UP and carrier (IFF_RUNNING): what VRRP calls the interface being usable.
    bool is_running(int ifindex);
    std::string name(int ifindex);
    // The link-layer address (the MAC of an Ethernet device); empty when it has none.
    std::vector<uint8_t> hardware_address(int ifindex);
    void set_up(int ifindex, bool up = true); // up false: down

    // Every address on every interface, from one dump: callers check many against it.
    std::vector<InterfaceAddress> addresses();
    void add_address(int ifindex, const IpAddress& a, const std::string& label);
    void remove_address(int ifindex, const IpAddress& a);
    // scope: "" (global), "link", "host", ... as ip-address(8) names them.
    void add_address(int ifindex, const IpAddress& a, const std::string& label,
                     const std::string& scope);

    void add_route(const Route& r); // replaces a route with the same key
    void remove_route(const Route& r);

private:
    nl_sock* sock_;
};

} // namespace lvsd::net
