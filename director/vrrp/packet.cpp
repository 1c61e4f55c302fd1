#include "vrrp/packet.h"

#include "vrrp/checksum.h"

#include <algorithm>
#include <netinet/in.h>
#include <stdexcept>

namespace lvsd::vrrp {
namespace {

constexpr std::size_t kHeaderLen = 8;
constexpr std::size_t kAuthLen = 8;
constexpr uint8_t kTypeAdvert = 1;
constexpr std::size_t kChecksumOffset = 6;

std::size_t addr_len(int family) {
    return family == AF_INET6 ? 16 : 4;
}

bool known_family(int family) {
    return family == AF_INET || family == AF_INET6;
}

} // namespace

AuthData make_password(std::string_view text) {
    AuthData d{};
    std::copy_n(text.begin(), std::min(text.size(), d.size()), d.begin());
    return d;
}

uint16_t compute_checksum(Version v, std::span<const uint8_t> data, const net::IpAddress& src,
                          const net::IpAddress& dst) {
    Checksum c;
    if (v == Version::v3) {
        // Pseudo-header (RFC 5798 5.2.8); for IPv6 the 32-bit length and zero+next header
        // sum to the same 16-bit words as IPv4's zero+protocol and 16-bit length.
        std::size_t n = addr_len(src.family);
        c.add(std::span(src.bytes.data(), n));
        c.add(std::span(dst.bytes.data(), n));
        if (src.family == AF_INET6)
            c.add16(static_cast<uint16_t>(data.size() >> 16));
        c.add16(static_cast<uint16_t>(data.size() & 0xffff));
        c.add16(kIpProtocol);
    }
    if (data.size() < kHeaderLen) {
        c.add(data);
        return c.value();
    }
    c.add(data.first(kChecksumOffset));
    c.add(data.subspan(kChecksumOffset + 2));
    return c.value();
}

std::vector<uint8_t> encode(const Advert& a, const net::IpAddress& src, const net::IpAddress& dst) {
    const int family = src.family;
    if (!known_family(family) || dst.family != family)
        throw std::invalid_argument("vrrp encode: source and destination families differ");
    if (a.version == Version::v2 && family != AF_INET)
        throw std::invalid_argument("vrrp encode: VRRPv2 carries IPv4 only");
    if (a.addresses.size() > 255)
        throw std::invalid_argument("vrrp encode: more than 255 addresses");
    for (const auto& addr : a.addresses)
        if (addr.family != family)
            throw std::invalid_argument("vrrp encode: address family differs from IP header");
    if (a.version == Version::v2 && (a.interval_cs % 100 != 0 || a.interval_cs / 100 > 255))
        throw std::invalid_argument("vrrp encode: v2 interval must be whole seconds up to 255");
    if (a.version == Version::v3 && a.interval_cs > 0x0fff)
        throw std::invalid_argument("vrrp encode: v3 interval exceeds 12 bits");

    std::vector<uint8_t> out;
    out.reserve(kHeaderLen + a.addresses.size() * 16 + kAuthLen);
    out.push_back(static_cast<uint8_t>(static_cast<uint8_t>(a.version) << 4 | kTypeAdvert));
    out.push_back(a.vrid);
    out.push_back(a.priority);
    out.push_back(static_cast<uint8_t>(a.addresses.size()));
    if (a.version == Version::v2) {
        out.push_back(static_cast<uint8_t>(a.auth_type));
        out.push_back(static_cast<uint8_t>(a.interval_cs / 100));
    } else {
        out.push_back(static_cast<uint8_t>(a.interval_cs >> 8)); // reserved bits stay zero
        out.push_back(static_cast<uint8_t>(a.interval_cs & 0xff));
    }
    out.push_back(0);
    out.push_back(0);
    for (const auto& addr : a.addresses)
        out.insert(out.end(), addr.bytes.begin(), addr.bytes.begin() + addr_len(family));
    if (a.version == Version::v2) {
        // RFC 3768: auth data is zero unless simple text authentication is in use.
        AuthData auth = a.auth_type == AuthType::simple ? a.auth_data : AuthData{};
        out.insert(out.end(), auth.begin(), auth.end());
    }
    uint16_t sum = compute_checksum(a.version, out, src, dst);
    out[kChecksumOffset] = static_cast<uint8_t>(sum >> 8);
    out[kChecksumOffset + 1] = static_cast<uint8_t>(sum & 0xff);
    return out;
}

DecodeResult decode(std::span<const uint8_t> data, const net::IpAddress& src,
                    const net::IpAddress& dst, uint8_t ttl, const Expected& expected) {
    const int family = src.family;
    if (!known_family(family) || dst.family != family || family != expected.family ||
        (expected.version == Version::v2 && family != AF_INET))
        return DropReason::bad_family;
    // Checks in the order of RFC 5798 section 7.1.
    if (ttl != kRequiredTtl)
        return DropReason::bad_ttl;
    if (data.size() < kHeaderLen)
        return DropReason::too_short;
    if ((data[0] >> 4) != static_cast<uint8_t>(expected.version))
        return DropReason::bad_version;
    if ((data[0] & 0x0f) != kTypeAdvert)
        return DropReason::bad_type;
    const std::size_t count = data[3];
    const std::size_t alen = addr_len(family);
    const std::size_t auth_len = expected.version == Version::v2 ? kAuthLen : 0;
    if (data.size() < kHeaderLen + count * alen + auth_len)
        return DropReason::truncated;
    const uint16_t carried = static_cast<uint16_t>(data[6] << 8 | data[7]);
    if (carried != compute_checksum(expected.version, data, src, dst))
        return DropReason::bad_checksum;
    if (data[1] != expected.vrid)
        return DropReason::wrong_vrid;

    Advert a;
    a.version = expected.version;
    a.vrid = data[1];
    a.priority = data[2];
    if (a.version == Version::v2) {
        a.auth_type = static_cast<AuthType>(data[4]);
        a.interval_cs = static_cast<uint16_t>(data[5] * 100);
        if (data[4] != static_cast<uint8_t>(expected.auth_type))
            return DropReason::auth_type_mismatch;
        auto auth = data.subspan(kHeaderLen + count * alen, kAuthLen);
        if (a.auth_type == AuthType::simple) {
            std::copy(auth.begin(), auth.end(), a.auth_data.begin());
            if (a.auth_data != expected.password)
                return DropReason::auth_mismatch;
        }
    } else {
        a.interval_cs = static_cast<uint16_t>((data[4] & 0x0f) << 8 | data[5]);
    }
    if (count != expected.address_count)
        return DropReason::address_count_mismatch;
    if (a.version == Version::v2 && a.interval_cs != expected.interval_cs)
        return DropReason::interval_mismatch;

    a.addresses.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        net::IpAddress addr;
        addr.family = family;
        addr.prefix_len = addr.max_prefix();
        std::copy_n(data.begin() + kHeaderLen + i * alen, alen, addr.bytes.begin());
        a.addresses.push_back(addr);
    }
    return a;
}

} // namespace lvsd::vrrp
