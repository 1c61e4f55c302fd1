#include "director/dataplane/ipvs/attrs.h"

#include "director/dataplane/ipvs/genl_socket.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <linux/ip_vs.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

namespace lvsd::director::dataplane::ipvs {

namespace {

void check(int rc) {
    if (rc < 0)
        throw GenlError("netlink message too large", EMSGSIZE);
}

struct Nest {
    nl_msg* m;
    nlattr* a;
    Nest(nl_msg* msg, int type) : m(msg), a(nla_nest_start(msg, type)) {
        if (!a)
            throw GenlError("netlink message too large", EMSGSIZE);
    }
    ~Nest() { nla_nest_end(m, a); }
};

// union nf_inet_addr: 16 bytes, an IPv4 address in the first 4.
void put_addr(nl_msg* m, int type, const net::IpAddress& a) {
    uint8_t buf[16] = {};
    std::memcpy(buf, a.bytes.data(), a.is_v4() ? 4 : 16);
    check(nla_put(m, type, sizeof buf, buf));
}

net::IpAddress get_addr(nlattr* a, int family) {
    net::IpAddress out;
    out.family = family;
    out.prefix_len = out.max_prefix();
    int n = family == AF_INET ? 4 : 16;
    if (nla_len(a) >= n)
        std::memcpy(out.bytes.data(), nla_data(a), n);
    return out;
}

Stats get_stats(nlattr* nested, bool wide) {
    nla_policy policy[IPVS_STATS_ATTR_MAX + 1] = {};
    nlattr* tb[IPVS_STATS_ATTR_MAX + 1] = {};
    Stats s;
    if (nla_parse_nested(tb, IPVS_STATS_ATTR_MAX, nested, policy) < 0)
        return s;
    // IPVS_*_ATTR_STATS: 32-bit counters except the byte counts; *_STATS64: all 64-bit.
    auto get = [&](int type, bool is64) -> uint64_t {
        if (!tb[type])
            return 0;
        if (is64 && nla_len(tb[type]) >= 8)
            return nla_get_u64(tb[type]);
        return nla_len(tb[type]) >= 4 ? nla_get_u32(tb[type]) : 0;
    };
    s.conns = get(IPVS_STATS_ATTR_CONNS, wide);
    s.inpkts = get(IPVS_STATS_ATTR_INPKTS, wide);
    s.outpkts = get(IPVS_STATS_ATTR_OUTPKTS, wide);
    s.inbytes = get(IPVS_STATS_ATTR_INBYTES, true);
    s.outbytes = get(IPVS_STATS_ATTR_OUTBYTES, true);
    s.cps = get(IPVS_STATS_ATTR_CPS, wide);
    s.inpps = get(IPVS_STATS_ATTR_INPPS, wide);
    s.outpps = get(IPVS_STATS_ATTR_OUTPPS, wide);
    s.inbps = get(IPVS_STATS_ATTR_INBPS, wide);
    s.outbps = get(IPVS_STATS_ATTR_OUTBPS, wide);
    return s;
}

Stats stats_of(nlattr** tb, int stats64, int stats32) {
    if (tb[stats64])
        return get_stats(tb[stats64], true);
    if (tb[stats32])
        return get_stats(tb[stats32], false);
    return {};
}

// IPv4: a network-order mask; IPv6: a prefix length.
uint32_t netmask_attr(int family, int prefix_len) {
    if (family == AF_INET6)
        return static_cast<uint32_t>(prefix_len);
    uint32_t mask = prefix_len <= 0 ? 0 : ~uint32_t{0} << (32 - std::min(prefix_len, 32));
    return htonl(mask);
}

int prefix_of_netmask(int family, uint32_t raw) {
    if (family == AF_INET6)
        return static_cast<int>(raw);
    net::IpAddress m;
    m.family = AF_INET;
    std::memcpy(m.bytes.data(), &raw, 4); // already in network order
    return mask_prefix(m).value_or(32);
}

} // namespace

void put_service(nl_msg* m, const Service& s, bool full) {
    Nest nest(m, IPVS_CMD_ATTR_SERVICE);
    const auto& k = s.key;
    check(nla_put_u16(m, IPVS_SVC_ATTR_AF, static_cast<uint16_t>(k.family)));
    if (k.fwmark) {
        check(nla_put_u32(m, IPVS_SVC_ATTR_FWMARK, k.fwmark));
    } else {
        check(nla_put_u16(m, IPVS_SVC_ATTR_PROTOCOL, static_cast<uint16_t>(k.protocol)));
        put_addr(m, IPVS_SVC_ATTR_ADDR, k.address);
        check(nla_put_u16(m, IPVS_SVC_ATTR_PORT, htons(k.port)));
    }
    if (!full)
        return;
    check(nla_put_string(m, IPVS_SVC_ATTR_SCHED_NAME, s.scheduler.c_str()));
    ip_vs_flags flags{};
    flags.flags = s.flags & ~(service_flag::hashed | service_flag::persistent);
    if (s.persistence)
        flags.flags |= service_flag::persistent;
    flags.mask = ~uint32_t{0};
    check(nla_put(m, IPVS_SVC_ATTR_FLAGS, sizeof flags, &flags));
    check(nla_put_u32(m, IPVS_SVC_ATTR_TIMEOUT, s.persistence ? s.persistence->timeout : 0));
    int prefix = s.persistence ? s.persistence->prefix_len : (k.family == AF_INET6 ? 128 : 32);
    check(nla_put_u32(m, IPVS_SVC_ATTR_NETMASK, netmask_attr(k.family, prefix)));
    if (!s.pe_name.empty())
        check(nla_put_string(m, IPVS_SVC_ATTR_PE_NAME, s.pe_name.c_str()));
}

void put_destination(nl_msg* m, const Service& service, const Destination& d, bool full) {
    Nest nest(m, IPVS_CMD_ATTR_DEST);
    put_addr(m, IPVS_DEST_ATTR_ADDR, d.key.address);
    check(nla_put_u16(m, IPVS_DEST_ATTR_PORT, htons(d.key.port)));
    // Older kernels know no ADDR_FAMILY: send it only for a mixed-family (tunnelled) destination.
    if (d.key.address.family != service.key.family)
        check(nla_put_u16(m, IPVS_DEST_ATTR_ADDR_FAMILY,
                          static_cast<uint16_t>(d.key.address.family)));
    if (!full)
        return;
    check(nla_put_u32(m, IPVS_DEST_ATTR_FWD_METHOD, static_cast<uint32_t>(d.forward)));
    check(nla_put_u32(m, IPVS_DEST_ATTR_WEIGHT, static_cast<uint32_t>(d.weight)));
    check(nla_put_u32(m, IPVS_DEST_ATTR_U_THRESH, d.u_threshold));
    check(nla_put_u32(m, IPVS_DEST_ATTR_L_THRESH, d.l_threshold));
    // Tunnel attributes (Linux 5.2+) only where they say more than plain ipip.
    if (d.forward == Forward::tun && d.tunnel_type != TunnelType::ipip) {
        check(nla_put_u8(m, IPVS_DEST_ATTR_TUN_TYPE, static_cast<uint8_t>(d.tunnel_type)));
        if (d.tunnel_type == TunnelType::gue)
            check(nla_put_u16(m, IPVS_DEST_ATTR_TUN_PORT, htons(d.tunnel_port)));
        check(nla_put_u16(m, IPVS_DEST_ATTR_TUN_FLAGS, d.tunnel_flags));
    }
}

std::optional<Service> parse_service(nlattr* nested) {
    nla_policy policy[IPVS_SVC_ATTR_MAX + 1] = {};
    nlattr* tb[IPVS_SVC_ATTR_MAX + 1] = {};
    if (!nested || nla_parse_nested(tb, IPVS_SVC_ATTR_MAX, nested, policy) < 0 ||
        !tb[IPVS_SVC_ATTR_AF])
        return std::nullopt;
    Service s;
    int family = nla_get_u16(tb[IPVS_SVC_ATTR_AF]);
    if (family != AF_INET && family != AF_INET6)
        return std::nullopt;
    uint32_t mark = tb[IPVS_SVC_ATTR_FWMARK] ? nla_get_u32(tb[IPVS_SVC_ATTR_FWMARK]) : 0;
    if (mark) {
        s.key = ServiceKey::by_fwmark(family, mark);
    } else {
        if (!tb[IPVS_SVC_ATTR_PROTOCOL] || !tb[IPVS_SVC_ATTR_ADDR] || !tb[IPVS_SVC_ATTR_PORT])
            return std::nullopt;
        s.key = ServiceKey::by_address(
            static_cast<Protocol>(nla_get_u16(tb[IPVS_SVC_ATTR_PROTOCOL])),
            get_addr(tb[IPVS_SVC_ATTR_ADDR], family), ntohs(nla_get_u16(tb[IPVS_SVC_ATTR_PORT])));
    }
    if (tb[IPVS_SVC_ATTR_SCHED_NAME])
        s.scheduler = nla_get_string(tb[IPVS_SVC_ATTR_SCHED_NAME]);
    uint32_t flags = 0;
    if (tb[IPVS_SVC_ATTR_FLAGS] && nla_len(tb[IPVS_SVC_ATTR_FLAGS]) >= int(sizeof(ip_vs_flags))) {
        ip_vs_flags f;
        std::memcpy(&f, nla_data(tb[IPVS_SVC_ATTR_FLAGS]), sizeof f);
        flags = f.flags;
    }
    s.flags = flags & ~(service_flag::hashed | service_flag::persistent);
    if (flags & service_flag::persistent) {
        Persistence p;
        if (tb[IPVS_SVC_ATTR_TIMEOUT])
            p.timeout = nla_get_u32(tb[IPVS_SVC_ATTR_TIMEOUT]);
        p.prefix_len = tb[IPVS_SVC_ATTR_NETMASK]
                           ? prefix_of_netmask(family, nla_get_u32(tb[IPVS_SVC_ATTR_NETMASK]))
                           : (family == AF_INET6 ? 128 : 32);
        s.persistence = p;
    }
    if (tb[IPVS_SVC_ATTR_PE_NAME])
        s.pe_name = nla_get_string(tb[IPVS_SVC_ATTR_PE_NAME]);
    s.stats = stats_of(tb, IPVS_SVC_ATTR_STATS64, IPVS_SVC_ATTR_STATS);
    return s;
}

std::optional<Destination> parse_destination(nlattr* nested, int service_family) {
    nla_policy policy[IPVS_DEST_ATTR_MAX + 1] = {};
    nlattr* tb[IPVS_DEST_ATTR_MAX + 1] = {};
    if (!nested || nla_parse_nested(tb, IPVS_DEST_ATTR_MAX, nested, policy) < 0 ||
        !tb[IPVS_DEST_ATTR_ADDR] || !tb[IPVS_DEST_ATTR_PORT])
        return std::nullopt;
    Destination d;
    int family = tb[IPVS_DEST_ATTR_ADDR_FAMILY] ? nla_get_u16(tb[IPVS_DEST_ATTR_ADDR_FAMILY])
                                                : service_family;
    d.key.address = get_addr(tb[IPVS_DEST_ATTR_ADDR], family);
    d.key.port = ntohs(nla_get_u16(tb[IPVS_DEST_ATTR_PORT]));
    auto u32 = [&](int type) { return tb[type] ? nla_get_u32(tb[type]) : 0u; };
    d.forward = static_cast<Forward>(u32(IPVS_DEST_ATTR_FWD_METHOD) & IP_VS_CONN_F_FWD_MASK);
    d.weight = static_cast<int>(u32(IPVS_DEST_ATTR_WEIGHT));
    d.u_threshold = u32(IPVS_DEST_ATTR_U_THRESH);
    d.l_threshold = u32(IPVS_DEST_ATTR_L_THRESH);
    d.active_conns = u32(IPVS_DEST_ATTR_ACTIVE_CONNS);
    d.inactive_conns = u32(IPVS_DEST_ATTR_INACT_CONNS);
    d.persist_conns = u32(IPVS_DEST_ATTR_PERSIST_CONNS);
    if (tb[IPVS_DEST_ATTR_TUN_TYPE])
        d.tunnel_type = static_cast<TunnelType>(nla_get_u8(tb[IPVS_DEST_ATTR_TUN_TYPE]));
    if (tb[IPVS_DEST_ATTR_TUN_PORT])
        d.tunnel_port = ntohs(nla_get_u16(tb[IPVS_DEST_ATTR_TUN_PORT]));
    if (tb[IPVS_DEST_ATTR_TUN_FLAGS])
        d.tunnel_flags = nla_get_u16(tb[IPVS_DEST_ATTR_TUN_FLAGS]);
    d.stats = stats_of(tb, IPVS_DEST_ATTR_STATS64, IPVS_DEST_ATTR_STATS);
    return d;
}

} // namespace lvsd::director::dataplane::ipvs
