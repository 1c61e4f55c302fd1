// The envelope of every lvsd agent datagram: a JSON payload line, then the hex HMAC-SHA256 of
// `context` + payload under the shared key. The context separates the kinds (reports, acks), so
// a genuine datagram of one kind never passes for another.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace lvsd::agent {

std::string seal(std::string_view payload, std::span<const uint8_t> key,
                 std::string_view context = {});

enum class SealError { malformed, bad_mac };

// The payload when the MAC is right; otherwise why not.
struct Opened {
    std::string_view payload;
    std::optional<SealError> error;
};
Opened open_sealed(std::string_view datagram, std::span<const uint8_t> key,
                   std::string_view context = {});

} // namespace lvsd::agent
