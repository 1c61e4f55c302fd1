// An IPv4 or IPv6 address with an optional prefix length, as written in configs.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lvsd::net {

struct IpAddress {
    int family = 0; // AF_INET or AF_INET6
    std::array<uint8_t, 16> bytes{};
    int prefix_len = 0; // 32 or 128 unless written as ADDR/LEN

    static std::optional<IpAddress> parse(std::string_view text); // "ADDR" or "ADDR/LEN"
    int max_prefix() const;
    bool is_v4() const;
    std::string str() const;          // address only
    std::string str_prefixed() const; // ADDR/LEN
    bool operator==(const IpAddress&) const = default;
};

} // namespace lvsd::net
