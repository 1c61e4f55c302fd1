#include "vrrp/ipv4_header.h"

#include <netinet/in.h>

namespace lvsd::vrrp {

static net::IpAddress v4_at(std::span<const uint8_t> d, std::size_t off) {
    net::IpAddress a;
    a.family = AF_INET;
    a.prefix_len = 32;
    for (std::size_t i = 0; i < 4; ++i)
        a.bytes[i] = d[off + i];
    return a;
}

std::optional<Ipv4Packet> parse_ipv4(std::span<const uint8_t> d) {
    if (d.size() < 20 || (d[0] >> 4) != 4)
        return std::nullopt;
    std::size_t ihl = static_cast<std::size_t>(d[0] & 0x0f) * 4;
    std::size_t total = static_cast<std::size_t>(d[2]) << 8 | d[3];
    if (ihl < 20 || total < ihl || total > d.size())
        return std::nullopt;
    Ipv4Packet p;
    p.ttl = d[8];
    p.protocol = d[9];
    p.src = v4_at(d, 12);
    p.dst = v4_at(d, 16);
    p.payload = d.subspan(ihl, total - ihl);
    return p;
}

} // namespace lvsd::vrrp
