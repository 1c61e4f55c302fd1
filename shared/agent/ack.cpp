#include "agent/ack.h"

#include "agent/signed_datagram.h"

#include <nlohmann/json.hpp>

namespace lvsd::agent {

namespace {
constexpr std::string_view context = "lvsd-ack\n";
}

std::string encode_ack(const Ack& a, std::span<const uint8_t> key) {
    std::string payload = nlohmann::json{
        {"v", 1},          {"type", "ack"}, {"director", a.director},
        {"host", a.host},  {"seq", a.seq},  {"report_time_ms", a.report_time_ms},
        {"state", a.state}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return seal(payload, key, context);
}

std::variant<Ack, AckError> decode_ack(std::string_view d, std::span<const uint8_t> key) {
    auto opened = open_sealed(d, key, context);
    if (opened.error)
        return *opened.error == SealError::bad_mac ? AckError::bad_mac : AckError::malformed;
    auto j = nlohmann::json::parse(opened.payload, nullptr, false);
    auto is_string = [&](const char* k) { return j.contains(k) && j[k].is_string(); };
    if (!j.is_object() || !j.contains("v") || j["v"] != 1 || !is_string("type") ||
        j["type"] != "ack" || !is_string("director") || !is_string("host") || !is_string("state") ||
        !j.contains("seq") || !j["seq"].is_number_unsigned() || !j.contains("report_time_ms") ||
        !j["report_time_ms"].is_number_integer())
        return AckError::malformed;
    return Ack{j["director"].get<std::string>(), j["host"].get<std::string>(),
               j["seq"].get<uint64_t>(), j["report_time_ms"].get<int64_t>(),
               j["state"].get<std::string>()};
}

} // namespace lvsd::agent
