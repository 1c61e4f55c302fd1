#include "net/route_socket.h"

#include <cstring>
#include <linux/if_addr.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

namespace lvsd::net {

NetlinkError::NetlinkError(const std::string& what, int nl_code)
    : std::runtime_error(what + ": " + nl_geterror(nl_code)), code_(nl_code) {}

bool NetlinkError::permission_denied() const {
    return code_ == -NLE_PERM || code_ == -NLE_NOACCESS;
}

// libnl objects are reference counted; these release them on every path.
struct AddrDeleter {
    void operator()(rtnl_addr* a) const { rtnl_addr_put(a); }
};
struct NlAddrDeleter {
    void operator()(nl_addr* a) const { nl_addr_put(a); }
};
struct LinkDeleter {
    void operator()(rtnl_link* l) const { rtnl_link_put(l); }
};
struct CacheDeleter {
    void operator()(nl_cache* c) const { nl_cache_free(c); }
};
using AddrPtr = std::unique_ptr<rtnl_addr, AddrDeleter>;
using LinkPtr = std::unique_ptr<rtnl_link, LinkDeleter>;

static void check(int rc, const std::string& what) {
    if (rc < 0)
        throw NetlinkError(what, rc);
}

RouteSocket::RouteSocket() : sock_(nl_socket_alloc()) {
    if (!sock_)
        throw std::bad_alloc();
    int rc = nl_connect(sock_, NETLINK_ROUTE);
    if (rc < 0) {
        nl_socket_free(sock_);
        throw NetlinkError("cannot open rtnetlink socket", rc);
    }
}

RouteSocket::~RouteSocket() {
    nl_socket_free(sock_);
}

int RouteSocket::ifindex(const std::string& name) {
    rtnl_link* raw = nullptr;
    int rc = rtnl_link_get_kernel(sock_, 0, name.c_str(), &raw);
    if (rc == -NLE_OBJ_NOTFOUND || rc == -NLE_NODEV)
        return 0;
    check(rc, "cannot look up interface " + name);
    LinkPtr link(raw);
    return rtnl_link_get_ifindex(link.get());
}

bool RouteSocket::is_up(int ifindex) {
    rtnl_link* raw = nullptr;
    check(rtnl_link_get_kernel(sock_, ifindex, nullptr, &raw), "cannot read interface state");
    LinkPtr link(raw);
    return rtnl_link_get_flags(link.get()) & IFF_UP;
}

bool RouteSocket::is_running(int ifindex) {
    rtnl_link* raw = nullptr;
    check(rtnl_link_get_kernel(sock_, ifindex, nullptr, &raw), "cannot read interface state");
    LinkPtr link(raw);
    unsigned flags = rtnl_link_get_flags(link.get());
    return (flags & IFF_UP) && (flags & IFF_RUNNING);
}

std::string RouteSocket::name(int ifindex) {
    char buf[IF_NAMESIZE] = {};
    return if_indextoname(static_cast<unsigned>(ifindex), buf) ? buf : "";
}

std::vector<uint8_t> RouteSocket::hardware_address(int ifindex) {
    rtnl_link* raw = nullptr;
    check(rtnl_link_get_kernel(sock_, ifindex, nullptr, &raw), "cannot read interface");
    LinkPtr link(raw);
    nl_addr* a = rtnl_link_get_addr(link.get());
    if (!a)
        return {};
    auto* p = static_cast<const uint8_t*>(nl_addr_get_binary_addr(a));
    return {p, p + nl_addr_get_len(a)};
}

void RouteSocket::set_up(int ifindex, bool up) {
    rtnl_link* raw = nullptr;
    check(rtnl_link_get_kernel(sock_, ifindex, nullptr, &raw), "cannot read interface state");
    LinkPtr link(raw);
    LinkPtr change(rtnl_link_alloc());
    if (up)
        rtnl_link_set_flags(change.get(), IFF_UP);
    else
        rtnl_link_unset_flags(change.get(), IFF_UP);
    check(rtnl_link_change(sock_, link.get(), change.get(), 0),
          std::string(up ? "cannot bring up " : "cannot bring down ") +
              rtnl_link_get_name(link.get()));
}

std::vector<InterfaceAddress> RouteSocket::addresses() {
    nl_cache* raw = nullptr;
    check(rtnl_addr_alloc_cache(sock_, &raw), "cannot list addresses");
    std::unique_ptr<nl_cache, CacheDeleter> cache(raw);
    std::vector<InterfaceAddress> out;
    for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
        auto* a = reinterpret_cast<rtnl_addr*>(o);
        nl_addr* local = rtnl_addr_get_local(a);
        if (!local)
            continue;
        InterfaceAddress ia;
        ia.ifindex = rtnl_addr_get_ifindex(a);
        ia.address.family = nl_addr_get_family(local);
        unsigned len = nl_addr_get_len(local);
        if (len > ia.address.bytes.size())
            continue;
        std::memcpy(ia.address.bytes.data(), nl_addr_get_binary_addr(local), len);
        ia.address.prefix_len = rtnl_addr_get_prefixlen(a);
        if (const char* l = rtnl_addr_get_label(a))
            ia.label = l;
        out.push_back(ia);
    }
    return out;
}

bool contains(const std::vector<InterfaceAddress>& list, int ifindex, const IpAddress& a) {
    for (const auto& ia : list)
        if (ia.ifindex == ifindex && ia.address.family == a.family && ia.address.bytes == a.bytes)
            return true;
    return false;
}

static AddrPtr make_addr(int ifindex, const IpAddress& a) {
    AddrPtr addr(rtnl_addr_alloc());
    std::unique_ptr<nl_addr, NlAddrDeleter> local(
        nl_addr_build(a.family, a.bytes.data(), a.is_v4() ? 4 : 16));
    nl_addr_set_prefixlen(local.get(), a.prefix_len);
    rtnl_addr_set_ifindex(addr.get(), ifindex);
    rtnl_addr_set_local(addr.get(), local.get());
    rtnl_addr_set_prefixlen(addr.get(), a.prefix_len);
    return addr;
}

void RouteSocket::add_address(int ifindex, const IpAddress& a, const std::string& label) {
    add_address(ifindex, a, label, "");
}

void RouteSocket::add_address(int ifindex, const IpAddress& a, const std::string& label,
                              const std::string& scope) {
    AddrPtr addr = make_addr(ifindex, a);
    if (!scope.empty()) {
        int s = rtnl_str2scope(scope.c_str());
        if (s < 0)
            throw NetlinkError("unknown scope " + scope, -NLE_INVAL);
        rtnl_addr_set_scope(addr.get(), s);
    }
    if (a.is_v4() && !label.empty())
        check(rtnl_addr_set_label(addr.get(), label.c_str()), "bad label " + label);
    if (!a.is_v4())
        rtnl_addr_set_flags(addr.get(), IFA_F_NODAD); // a VIP is shared on purpose
    check(rtnl_addr_add(sock_, addr.get(), 0), "cannot add " + a.str_prefixed());
}

void RouteSocket::remove_address(int ifindex, const IpAddress& a) {
    AddrPtr addr = make_addr(ifindex, a);
    int rc = rtnl_addr_delete(sock_, addr.get(), 0);
    if (rc == -NLE_NOADDR || rc == -NLE_OBJ_NOTFOUND)
        return; // already gone: the goal is reached
    check(rc, "cannot remove " + a.str_prefixed());
}

struct RouteDeleter {
    void operator()(rtnl_route* r) const { rtnl_route_put(r); }
};

static std::unique_ptr<nl_addr, NlAddrDeleter> nl_address(const IpAddress& a, int prefix) {
    std::unique_ptr<nl_addr, NlAddrDeleter> p(
        nl_addr_build(a.family, a.bytes.data(), a.is_v4() ? 4 : 16));
    nl_addr_set_prefixlen(p.get(), prefix);
    return p;
}

static std::unique_ptr<rtnl_route, RouteDeleter> make_route(const Route& r) {
    std::unique_ptr<rtnl_route, RouteDeleter> route(rtnl_route_alloc());
    const std::string what = "route " + r.destination.str_prefixed();
    rtnl_route_set_family(route.get(), static_cast<uint8_t>(r.destination.family));
    check(
        rtnl_route_set_dst(route.get(), nl_address(r.destination, r.destination.prefix_len).get()),
        what);
    int table = rtnl_route_str2table(r.table.c_str());
    if (table < 0)
        throw NetlinkError(what + ": unknown table " + r.table, -NLE_INVAL);
    rtnl_route_set_table(route.get(), static_cast<uint32_t>(table));
    rtnl_route_set_protocol(route.get(), RTPROT_STATIC);
    if (!r.type.empty()) {
        int type = nl_str2rtntype(r.type.c_str());
        if (type < 0)
            throw NetlinkError(what + ": unknown type " + r.type, -NLE_INVAL);
        rtnl_route_set_type(route.get(), static_cast<uint8_t>(type));
    }
    if (!r.scope.empty()) {
        int scope = rtnl_str2scope(r.scope.c_str());
        if (scope < 0)
            throw NetlinkError(what + ": unknown scope " + r.scope, -NLE_INVAL);
        rtnl_route_set_scope(route.get(), static_cast<uint8_t>(scope));
    }
    if (r.source)
        check(rtnl_route_set_pref_src(route.get(),
                                      nl_address(*r.source, r.source->max_prefix()).get()),
              what);
    if (r.metric)
        rtnl_route_set_priority(route.get(), *r.metric);
    if (r.via || r.ifindex) {
        rtnl_nexthop* nh = rtnl_route_nh_alloc(); // owned by the route once added
        if (r.via)
            rtnl_route_nh_set_gateway(nh, nl_address(*r.via, r.via->max_prefix()).get());
        if (r.ifindex)
            rtnl_route_nh_set_ifindex(nh, r.ifindex);
        rtnl_route_add_nexthop(route.get(), nh);
    }
    return route;
}

void RouteSocket::add_route(const Route& r) {
    auto route = make_route(r);
    check(rtnl_route_add(sock_, route.get(), NLM_F_CREATE | NLM_F_REPLACE),
          "cannot add route " + r.destination.str_prefixed());
}

void RouteSocket::remove_route(const Route& r) {
    auto route = make_route(r);
    int rc = rtnl_route_delete(sock_, route.get(), 0);
    if (rc == -NLE_OBJ_NOTFOUND || rc == -NLE_NOADDR)
        return; // already gone
    check(rc, "cannot remove route " + r.destination.str_prefixed());
}

} // namespace lvsd::net
