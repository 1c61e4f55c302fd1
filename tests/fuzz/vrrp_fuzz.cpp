// libFuzzer entry: decode arbitrary bytes as VRRPv2/v3 over IPv4/IPv6. Whatever decodes must
// re-encode to a packet that decodes to the same advert.
#include "vrrp/packet.h"

#include <cstdlib>
#include <netinet/in.h>

using namespace lvsd;
using namespace lvsd::vrrp;

namespace {

void round_trip(std::span<const uint8_t> data, const net::IpAddress& src, const net::IpAddress& dst,
                const Expected& e) {
    auto r = decode(data, src, dst, kRequiredTtl, e);
    auto* a = std::get_if<Advert>(&r);
    if (!a)
        return;
    auto again = decode(encode(*a, src, dst), src, dst, kRequiredTtl, e);
    auto* b = std::get_if<Advert>(&again);
    if (!b || !(*a == *b))
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const net::IpAddress src4 = *net::IpAddress::parse("192.168.1.10");
    static const net::IpAddress dst4 = *net::IpAddress::parse("224.0.0.18");
    static const net::IpAddress src6 = *net::IpAddress::parse("fe80::1");
    static const net::IpAddress dst6 = *net::IpAddress::parse("ff02::12");
    std::span<const uint8_t> bytes(data, size);

    // Take VRID, count and auth type from the input itself so deeper checks are reached.
    Expected e;
    e.vrid = size > 1 ? data[1] : 0;
    e.address_count = size > 3 ? data[3] : 0;
    e.auth_type = size > 4 && data[4] == 1 ? AuthType::simple : AuthType::none;
    e.interval_cs = size > 5 ? static_cast<uint16_t>(data[5] * 100) : 100;
    if (size >= 8 && e.auth_type == AuthType::simple)
        std::copy(bytes.end() - 8, bytes.end(), e.password.begin());

    for (Version v : {Version::v2, Version::v3}) {
        e.version = v;
        e.family = AF_INET;
        round_trip(bytes, src4, dst4, e);
        e.family = AF_INET6;
        round_trip(bytes, src6, dst6, e);
    }
    return 0;
}
