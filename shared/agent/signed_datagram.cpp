#include "agent/signed_datagram.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace lvsd::agent {

namespace {

constexpr std::size_t mac_len = 32; // SHA-256

std::array<uint8_t, mac_len> mac_of(std::string_view context, std::string_view payload,
                                    std::span<const uint8_t> key) {
    std::string data;
    data.reserve(context.size() + payload.size());
    data.append(context).append(payload);
    std::array<uint8_t, mac_len> out{};
    unsigned len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
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

std::string seal(std::string_view payload, std::span<const uint8_t> key, std::string_view context) {
    return std::string(payload) + "\n" + hex(mac_of(context, payload, key));
}

Opened open_sealed(std::string_view d, std::span<const uint8_t> key, std::string_view context) {
    auto nl = d.rfind('\n');
    if (nl == std::string_view::npos)
        return {{}, SealError::malformed};
    std::string_view payload = d.substr(0, nl);
    std::array<uint8_t, mac_len> got{};
    if (!unhex(d.substr(nl + 1), got))
        return {{}, SealError::malformed};
    auto want = mac_of(context, payload, key);
    // Constant time: the comparison must not tell a forger how many bytes were right.
    if (CRYPTO_memcmp(got.data(), want.data(), mac_len) != 0)
        return {{}, SealError::bad_mac};
    return {payload, std::nullopt};
}

} // namespace lvsd::agent
