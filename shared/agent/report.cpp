#include "agent/report.h"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace lvsd::agent {

namespace {

constexpr std::size_t mac_len = 32; // SHA-256

std::array<uint8_t, mac_len> mac_of(std::string_view payload, std::span<const uint8_t> key) {
    std::array<uint8_t, mac_len> out{};
    unsigned len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), out.data(), &len);
    return out;
}

std::string hex(std::span<const uint8_t> b) {
    static const char digits[] = "0123456789abcdef";
    std::string s;
    for (uint8_t c : b) {
        s += digits[c >> 4];
        s += digits[c & 15];
    }
    return s;
}

bool unhex(std::string_view s, std::array<uint8_t, mac_len>& out) {
    if (s.size() != 2 * mac_len)
        return false;
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < mac_len; ++i) {
        int hi = nibble(s[2 * i]), lo = nibble(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return true;
}

} // namespace

std::string encode_report(const Report& r, std::span<const uint8_t> key) {
    std::string payload = nlohmann::json{
        {"v", 1},
        {"host", r.host},
        {"seq", r.seq},
        {"time_ms", r.time_ms},
        {"state", r.state}}.dump();
    return payload + "\n" + hex(mac_of(payload, key));
}

std::variant<Report, ReportError> decode_report(std::string_view d, std::span<const uint8_t> key) {
    auto nl = d.rfind('\n');
    if (nl == std::string_view::npos)
        return ReportError::malformed;
    std::string_view payload = d.substr(0, nl);
    std::array<uint8_t, mac_len> got{};
    if (!unhex(d.substr(nl + 1), got))
        return ReportError::malformed;
    auto want = mac_of(payload, key);
    // Constant time: the comparison must not tell a forger how many bytes were right.
    if (CRYPTO_memcmp(got.data(), want.data(), mac_len) != 0)
        return ReportError::bad_mac;
    // Authentic from here on; still parsed defensively (a sender's bug is not ours to crash on).
    auto j = nlohmann::json::parse(payload, nullptr, false);
    if (!j.is_object() || !j.contains("v") || !j["v"].is_number_integer() || j["v"] != 1 ||
        !j.contains("host") || !j["host"].is_string() || !j.contains("seq") ||
        !j["seq"].is_number_unsigned() || !j.contains("time_ms") ||
        !j["time_ms"].is_number_integer() || !j.contains("state") || !j["state"].is_string())
        return ReportError::malformed;
    return Report{j["host"].get<std::string>(), j["seq"].get<uint64_t>(),
                  j["time_ms"].get<int64_t>(), j["state"].get<std::string>()};
}

} // namespace lvsd::agent
