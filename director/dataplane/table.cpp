#include "director/dataplane/table.h"

#include <arpa/inet.h>
#include <strings.h>
#include <tuple>

namespace lvsd::director::dataplane {

namespace {

// Address identity only: family and bytes (prefix_len is irrelevant in a key).
std::strong_ordering cmp_addr(const net::IpAddress& a, const net::IpAddress& b) {
    if (auto c = a.family <=> b.family; c != 0)
        return c;
    return a.bytes <=> b.bytes;
}

std::string host_port(const net::IpAddress& a, uint16_t port) {
    return a.is_v4() ? a.str() + ":" + std::to_string(port)
                     : "[" + a.str() + "]:" + std::to_string(port);
}

} // namespace

ServiceKey ServiceKey::by_address(Protocol p, const net::IpAddress& a, uint16_t port) {
    ServiceKey k;
    k.family = a.family;
    k.protocol = p;
    k.address = a;
    k.address.prefix_len = a.max_prefix();
    k.port = port;
    return k;
}

ServiceKey ServiceKey::by_fwmark(int family, uint32_t mark) {
    ServiceKey k;
    k.family = family;
    k.fwmark = mark;
    return k;
}

std::string ServiceKey::str() const {
    if (fwmark)
        return "FWM " + std::to_string(fwmark) + (family == AF_INET6 ? " IPv6" : "");
    return dataplane::str(protocol) + " " + host_port(address, port);
}

std::strong_ordering operator<=>(const ServiceKey& a, const ServiceKey& b) {
    if (auto c = a.family <=> b.family; c != 0)
        return c;
    if (auto c = a.fwmark <=> b.fwmark; c != 0)
        return c;
    if (a.fwmark) // the rest does not identify a fwmark service
        return std::strong_ordering::equal;
    if (auto c = a.protocol <=> b.protocol; c != 0)
        return c;
    if (auto c = cmp_addr(a.address, b.address); c != 0)
        return c;
    return a.port <=> b.port;
}

bool operator==(const ServiceKey& a, const ServiceKey& b) {
    return (a <=> b) == 0;
}

std::string DestinationKey::str() const {
    return host_port(address, port);
}

std::strong_ordering operator<=>(const DestinationKey& a, const DestinationKey& b) {
    if (auto c = cmp_addr(a.address, b.address); c != 0)
        return c;
    return a.port <=> b.port;
}

bool operator==(const DestinationKey& a, const DestinationKey& b) {
    return (a <=> b) == 0;
}

bool same_settings(const Destination& a, const Destination& b) {
    if (std::tie(a.forward, a.weight, a.u_threshold, a.l_threshold) !=
        std::tie(b.forward, b.weight, b.u_threshold, b.l_threshold))
        return false;
    if (a.forward != Forward::tun) // tunnel fields mean nothing otherwise
        return true;
    if (a.tunnel_type != b.tunnel_type)
        return false;
    if (a.tunnel_type == TunnelType::ipip)
        return true;
    return a.tunnel_flags == b.tunnel_flags &&
           (a.tunnel_type != TunnelType::gue || a.tunnel_port == b.tunnel_port);
}

bool same_settings(const Service& a, const Service& b) {
    return a.scheduler == b.scheduler &&
           (a.flags & ~service_flag::hashed) == (b.flags & ~service_flag::hashed) &&
           a.persistence == b.persistence && a.pe_name == b.pe_name;
}

bool Table::operator==(const Table& o) const {
    if (services.size() != o.services.size())
        return false;
    for (auto i = services.begin(), j = o.services.begin(); i != services.end(); ++i, ++j) {
        if (i->first != j->first || !same_settings(i->second, j->second))
            return false;
        const auto& da = i->second.destinations;
        const auto& db = j->second.destinations;
        if (da.size() != db.size())
            return false;
        for (auto x = da.begin(), y = db.begin(); x != da.end(); ++x, ++y)
            if (x->first != y->first || !same_settings(x->second, y->second))
                return false;
    }
    return true;
}

std::string str(Protocol p) {
    switch (p) {
    case Protocol::tcp:
        return "TCP";
    case Protocol::udp:
        return "UDP";
    case Protocol::sctp:
        return "SCTP";
    }
    return "proto-" + std::to_string(static_cast<int>(p));
}

std::string str(Forward f) {
    switch (f) {
    case Forward::nat:
        return "NAT";
    case Forward::local:
        return "Local";
    case Forward::tun:
        return "TUN";
    case Forward::dr:
        return "DR";
    }
    return "fwd-" + std::to_string(static_cast<int>(f));
}

std::string str(TunnelType t) {
    switch (t) {
    case TunnelType::ipip:
        return "ipip";
    case TunnelType::gue:
        return "gue";
    case TunnelType::gre:
        return "gre";
    }
    return "tun-" + std::to_string(static_cast<int>(t));
}

std::optional<Protocol> parse_protocol(std::string_view s) {
    for (auto p : {Protocol::tcp, Protocol::udp, Protocol::sctp})
        if (strcasecmp(std::string(s).c_str(), str(p).c_str()) == 0)
            return p;
    return std::nullopt;
}

std::optional<Forward> parse_forward(std::string_view s) {
    for (auto f : {Forward::nat, Forward::local, Forward::tun, Forward::dr})
        if (strcasecmp(std::string(s).c_str(), str(f).c_str()) == 0)
            return f;
    return std::nullopt;
}

std::optional<TunnelType> parse_tunnel_type(std::string_view s) {
    for (auto t : {TunnelType::ipip, TunnelType::gue, TunnelType::gre})
        if (strcasecmp(std::string(s).c_str(), str(t).c_str()) == 0)
            return t;
    return std::nullopt;
}

std::optional<int> mask_prefix(const net::IpAddress& mask) {
    int n = mask.is_v4() ? 4 : 16, len = 0;
    bool zero_seen = false;
    for (int i = 0; i < n; ++i)
        for (int bit = 7; bit >= 0; --bit) {
            bool one = mask.bytes[i] >> bit & 1;
            if (one && zero_seen)
                return std::nullopt;
            if (one)
                ++len;
            else
                zero_seen = true;
        }
    return len;
}

} // namespace lvsd::director::dataplane
