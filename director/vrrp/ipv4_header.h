// The IPv4 header a raw socket hands over with each received packet. The kernel has already
// checked its checksum; what VRRP needs from it is the TTL and the two addresses.
#pragma once

#include "net/ip_address.h"

#include <cstdint>
#include <optional>
#include <span>

namespace lvsd::vrrp {

struct Ipv4Packet {
    net::IpAddress src;
    net::IpAddress dst;
    uint8_t ttl = 0;
    uint8_t protocol = 0;
    std::span<const uint8_t> payload; // within the input, trimmed to the header's total length
};

// nullopt when the bytes are not a whole IPv4 header (or claim more than they hold).
std::optional<Ipv4Packet> parse_ipv4(std::span<const uint8_t> data);

} // namespace lvsd::vrrp
