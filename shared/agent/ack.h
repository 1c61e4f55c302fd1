// A director's acknowledgement of a readiness report (report.h): sent back to the report's
// source once the director's table follows it. It echoes the report's host, sequence number and
// sender clock, so the real server can tell which report it answers (an ack from an earlier run
// carries an older clock) and wait, when it drains, until every director has acted.
// Sealed like reports under the same key, with its own MAC context: a report never passes for
// an ack nor an ack for a report.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace lvsd::agent {

struct Ack {
    std::string director;       // the director's name for itself, for logs
    std::string host;           // the report's host
    uint64_t seq = 0;           // the report's seq
    int64_t report_time_ms = 0; // the report's time_ms (the real server's clock)
    std::string state;          // the state the director applied
    bool operator==(const Ack&) const = default;
};

enum class AckError { malformed, bad_mac };

std::string encode_ack(const Ack& a, std::span<const uint8_t> key);
std::variant<Ack, AckError> decode_ack(std::string_view datagram, std::span<const uint8_t> key);

} // namespace lvsd::agent
