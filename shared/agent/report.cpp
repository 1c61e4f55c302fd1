#include "agent/report.h"

#include "agent/signed_datagram.h"

#include <nlohmann/json.hpp>

namespace lvsd::agent {

std::string encode_report(const Report& r, std::span<const uint8_t> key) {
    std::string payload =
        nlohmann::json{{"v", 2},           {"host", r.host}, {"seq", r.seq}, {"time_ms", r.time_ms},
                       {"state", r.state}, {"addr", r.addr}}
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); // a name not UTF-8
    return seal(payload, key); // no context: the format reports had from the start
}

std::variant<Report, ReportError> decode_report(std::string_view d, std::span<const uint8_t> key) {
    auto opened = open_sealed(d, key);
    if (opened.error)
        return *opened.error == SealError::bad_mac ? ReportError::bad_mac : ReportError::malformed;
    std::string_view payload = opened.payload;
    // Authentic from here on; still parsed defensively (a sender's bug is not ours to crash on).
    auto j = nlohmann::json::parse(payload, nullptr, false);
    if (!j.is_object() || !j.contains("v") || !j["v"].is_number_integer())
        return ReportError::malformed;
    if (j["v"] == 1) // before reports named their source address
        return ReportError::old_format;
    if (j["v"] != 2 || !j.contains("host") || !j["host"].is_string() || !j.contains("seq") ||
        !j["seq"].is_number_unsigned() || !j.contains("time_ms") ||
        !j["time_ms"].is_number_integer() || !j.contains("state") || !j["state"].is_string() ||
        !j.contains("addr") || !j["addr"].is_string())
        return ReportError::malformed;
    return Report{j["host"].get<std::string>(), j["seq"].get<uint64_t>(),
                  j["time_ms"].get<int64_t>(), j["state"].get<std::string>(),
                  j["addr"].get<std::string>()};
}

} // namespace lvsd::agent
