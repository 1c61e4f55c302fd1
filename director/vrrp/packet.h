// VRRP advertisement codec: VRRPv2 (RFC 3768) and VRRPv3 (RFC 5798). Pure functions over the
// VRRP payload of an IP packet (protocol 112); the IP header itself belongs to the kernel.
#pragma once

#include "net/ip_address.h"
#include "vrrp/drop_reason.h"

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

namespace lvsd::vrrp {

inline constexpr uint8_t kIpProtocol = 112;
inline constexpr uint8_t kRequiredTtl = 255;

enum class Version : uint8_t { v2 = 2, v3 = 3 };
enum class AuthType : uint8_t { none = 0, simple = 1, ah = 2 }; // v2 only

using AuthData = std::array<uint8_t, 8>;

// Simple-text password as carried on the wire: first 8 bytes, zero padded.
AuthData make_password(std::string_view text);

struct Advert {
    Version version = Version::v3;
    uint8_t vrid = 0;
    uint8_t priority = 0;
    // Centiseconds for both versions; v2 carries whole seconds, so encode needs a multiple of 100.
    uint16_t interval_cs = 100;
    AuthType auth_type = AuthType::none;   // v2 only
    AuthData auth_data{};                  // v2 only; zero unless auth_type is simple
    std::vector<net::IpAddress> addresses; // all of the family of the IP header
    bool operator==(const Advert&) const = default;
};

// What the local instance is configured with; decode drops what does not fit.
struct Expected {
    Version version = Version::v3;
    int family = 0; // AF_INET or AF_INET6
    uint8_t vrid = 0;
    std::size_t address_count = 0;
    uint16_t interval_cs = 100;          // compared for v2 only
    AuthType auth_type = AuthType::none; // v2 only
    AuthData password{};                 // v2 simple auth
};

// The VRRP payload with its checksum filled. Throws std::invalid_argument when the advert cannot
// be represented (v2 with IPv6, interval out of range, mixed families, more than 255 addresses).
std::vector<uint8_t> encode(const Advert& a, const net::IpAddress& src, const net::IpAddress& dst);

using DecodeResult = std::variant<Advert, DropReason>;

// ttl is the received IPv4 TTL or IPv6 hop limit; src/dst are the IP header addresses.
DecodeResult decode(std::span<const uint8_t> data, const net::IpAddress& src,
                    const net::IpAddress& dst, uint8_t ttl, const Expected& expected);

// The checksum the packet should carry (its own checksum field read as zero).
uint16_t compute_checksum(Version v, std::span<const uint8_t> data, const net::IpAddress& src,
                          const net::IpAddress& dst);

} // namespace lvsd::vrrp
