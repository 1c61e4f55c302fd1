#include "net/route_socket.h"

#include <cstring>
#include <linux/if_addr.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

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

void RouteSocket::set_up(int ifindex) {
    rtnl_link* raw = nullptr;
    check(rtnl_link_get_kernel(sock_, ifindex, nullptr, &raw), "cannot read interface state");
    LinkPtr link(raw);
    LinkPtr change(rtnl_link_alloc());
    rtnl_link_set_flags(change.get(), IFF_UP);
    check(rtnl_link_change(sock_, link.get(), change.get(), 0),
          std::string("cannot bring up ") + rtnl_link_get_name(link.get()));
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
    AddrPtr addr = make_addr(ifindex, a);
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

} // namespace lvsd::net
