// A readiness report from lvs-realserver to the directors: one UDP datagram, the report as a JSON
// line followed by its HMAC-SHA256 (hex) under a key both sides share. Only an authentic report
// is parsed; a sequence number and a timestamp let the receiver refuse replays (replay_guard.h),
// and the address it was sent from, signed with it, a report replayed from another address.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace lvsd::agent {

struct Report {
    std::string host;    // the sender's name for itself (its host name unless configured)
    uint64_t seq = 0;    // grows by one per report of this sender's run
    int64_t time_ms = 0; // sender's clock, Unix milliseconds
    std::string state;   // agent-check text: "up", "drain", "down #reason", ...
    std::string addr;    // the address the sender sends it from (IPv4 dotted, or IPv6)
    bool operator==(const Report&) const = default;
};

// old_format: an authentic report of an lvs-realserver older than this code (format 1, which
// did not sign its source address).
enum class ReportError { malformed, bad_mac, old_format };

std::string encode_report(const Report& r, std::span<const uint8_t> key);
std::variant<Report, ReportError> decode_report(std::string_view datagram,
                                                std::span<const uint8_t> key);

} // namespace lvsd::agent
