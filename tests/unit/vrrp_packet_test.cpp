#define BOOST_TEST_MODULE vrrp_packet
#include <boost/test/unit_test.hpp>

#include "vrrp/packet.h"

#include <netinet/in.h>
#include <random>

using namespace lvsd;
using namespace lvsd::vrrp;

static net::IpAddress ip(const char* text) {
    return *net::IpAddress::parse(text);
}

// Independent RFC 1071 sum: 16-bit big-endian words, 32-bit accumulator, end-around carry.
static uint16_t reference_checksum(const std::vector<uint8_t>& bytes) {
    uint32_t sum = 0;
    for (std::size_t i = 0; i < bytes.size(); i += 2) {
        uint32_t hi = bytes[i];
        uint32_t lo = i + 1 < bytes.size() ? bytes[i + 1] : 0;
        sum += hi << 8 | lo;
    }
    while (sum > 0xffff)
        sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum & 0xffff);
}

static Advert v2_advert() {
    Advert a;
    a.version = Version::v2;
    a.vrid = 51;
    a.priority = 100;
    a.interval_cs = 100;
    a.addresses = {ip("192.168.1.1"), ip("10.0.0.7")};
    return a;
}

static Expected expect_for(const Advert& a, int family) {
    Expected e;
    e.version = a.version;
    e.family = family;
    e.vrid = a.vrid;
    e.address_count = a.addresses.size();
    e.interval_cs = a.interval_cs;
    e.auth_type = a.auth_type;
    e.password = a.auth_data;
    return e;
}

static const net::IpAddress src4 = ip("192.168.1.10");
static const net::IpAddress dst4 = ip("224.0.0.18");
static const net::IpAddress src6 = ip("fe80::1");
static const net::IpAddress dst6 = ip("ff02::12");

static DropReason drop_of(const DecodeResult& r) {
    BOOST_REQUIRE(std::holds_alternative<DropReason>(r));
    return std::get<DropReason>(r);
}

BOOST_AUTO_TEST_CASE(v2_round_trip_with_password) {
    Advert a = v2_advert();
    a.auth_type = AuthType::simple;
    a.auth_data = make_password("secret");
    auto bytes = encode(a, src4, dst4);
    BOOST_CHECK_EQUAL(bytes.size(), 8u + 2 * 4 + 8);
    auto r = decode(bytes, src4, dst4, 255, expect_for(a, AF_INET));
    BOOST_REQUIRE(std::holds_alternative<Advert>(r));
    BOOST_CHECK(std::get<Advert>(r) == a);
}

BOOST_AUTO_TEST_CASE(v3_round_trip_ipv4_and_ipv6) {
    Advert a;
    a.version = Version::v3;
    a.vrid = 7;
    a.priority = 200;
    a.interval_cs = 0x0fff;
    a.addresses = {ip("10.1.1.1")};
    auto r4 = decode(encode(a, src4, dst4), src4, dst4, 255, expect_for(a, AF_INET));
    BOOST_REQUIRE(std::holds_alternative<Advert>(r4));
    BOOST_CHECK(std::get<Advert>(r4) == a);

    a.addresses = {ip("2001:db8::1"), ip("2001:db8::2"), ip("fe80::99")};
    auto bytes = encode(a, src6, dst6);
    BOOST_CHECK_EQUAL(bytes.size(), 8u + 3 * 16);
    auto r6 = decode(bytes, src6, dst6, 255, expect_for(a, AF_INET6));
    BOOST_REQUIRE(std::holds_alternative<Advert>(r6));
    BOOST_CHECK(std::get<Advert>(r6) == a);
}

BOOST_AUTO_TEST_CASE(v2_checksum_known_vector) {
    // VRID 51, priority 100, one address 192.168.1.1, no auth, 1 s. Words summed by hand:
    // 2133+6401+0001+c0a8+0101 = 146de -> 46df -> ~ = b920.
    Advert a = v2_advert();
    a.addresses = {ip("192.168.1.1")};
    auto bytes = encode(a, src4, dst4);
    const std::vector<uint8_t> want = {0x21, 51, 100, 1, 0, 1, 0xb9, 0x20, 192, 168,
                                       1,    1,  0,   0, 0, 0, 0,    0,    0,   0};
    BOOST_CHECK_EQUAL_COLLECTIONS(bytes.begin(), bytes.end(), want.begin(), want.end());
    BOOST_CHECK_EQUAL(reference_checksum(bytes), 0); // a correct packet sums to zero
}

BOOST_AUTO_TEST_CASE(v3_checksum_known_vector_with_pseudo_header) {
    // 192.168.1.10 -> 224.0.0.18, VRID 51, priority 100, 100 cs, one address 192.168.1.1.
    // Pseudo-header c0a8 010a e000 0012 0070 000c sums to 1a240; VRRP words 3133 6401 0064
    // c0a8 0101 to 15741; total 2f981 -> f983 -> ~ = 067c.
    Advert a;
    a.vrid = 51;
    a.priority = 100;
    a.interval_cs = 100;
    a.addresses = {ip("192.168.1.1")};
    auto bytes = encode(a, src4, dst4);
    const std::vector<uint8_t> want = {0x31, 51, 100, 1, 0, 100, 0x06, 0x7c, 192, 168, 1, 1};
    BOOST_CHECK_EQUAL_COLLECTIONS(bytes.begin(), bytes.end(), want.begin(), want.end());
    std::vector<uint8_t> pseudo = {192, 168, 1, 10, 224, 0, 0, 18, 0, 112, 0, 12};
    pseudo.insert(pseudo.end(), bytes.begin(), bytes.end());
    BOOST_CHECK_EQUAL(reference_checksum(pseudo), 0);
}

BOOST_AUTO_TEST_CASE(v3_ipv6_checksum_matches_reference) {
    Advert a;
    a.vrid = 9;
    a.priority = 150;
    a.addresses = {ip("2001:db8::10")};
    auto bytes = encode(a, src6, dst6);
    std::vector<uint8_t> pseudo(src6.bytes.begin(), src6.bytes.end());
    pseudo.insert(pseudo.end(), dst6.bytes.begin(), dst6.bytes.end());
    const uint8_t tail[] = {0, 0, 0, static_cast<uint8_t>(bytes.size()), 0, 0, 0, 112};
    pseudo.insert(pseudo.end(), std::begin(tail), std::end(tail));
    pseudo.insert(pseudo.end(), bytes.begin(), bytes.end());
    BOOST_CHECK_EQUAL(reference_checksum(pseudo), 0);
}

// Re-fills the checksum after a test mutates a field, so the intended drop reason is reached.
static void refresh(std::vector<uint8_t>& b, Version v, const net::IpAddress& s,
                    const net::IpAddress& d) {
    uint16_t c = compute_checksum(v, b, s, d);
    b[6] = static_cast<uint8_t>(c >> 8);
    b[7] = static_cast<uint8_t>(c & 0xff);
}

BOOST_AUTO_TEST_CASE(every_drop_reason) {
    Advert a = v2_advert();
    a.auth_type = AuthType::simple;
    a.auth_data = make_password("secret");
    const Expected e = expect_for(a, AF_INET);
    const auto good = encode(a, src4, dst4);
    DropCounters counters;
    auto check = [&](std::vector<uint8_t> b, DropReason want, uint8_t ttl = 255,
                     const Expected& ex = Expected{}, bool use_ex = false) {
        DropReason got = drop_of(decode(b, src4, dst4, ttl, use_ex ? ex : e));
        BOOST_CHECK_MESSAGE(got == want, "got " << name(got) << " want " << name(want));
        counters.count(got);
    };

    check(good, DropReason::bad_ttl, 254);
    check({0x21, 51, 100}, DropReason::too_short);
    auto b = good;
    b[0] = 0x31;
    check(b, DropReason::bad_version);
    b = good;
    b[0] = 0x22;
    check(b, DropReason::bad_type);
    b = good;
    b[3] = 3; // three addresses announced, two present
    check(b, DropReason::truncated);
    b = good;
    b.resize(b.size() - 1); // auth data cut short
    check(b, DropReason::truncated);
    b = good;
    b[9] ^= 1;
    check(b, DropReason::bad_checksum);
    b = good;
    b[1] = 52;
    refresh(b, Version::v2, src4, dst4);
    check(b, DropReason::wrong_vrid);
    b = good;
    b[4] = 0;
    refresh(b, Version::v2, src4, dst4);
    check(b, DropReason::auth_type_mismatch);
    b = good;
    b[b.size() - 1] = 'x'; // password "secret\0x"
    refresh(b, Version::v2, src4, dst4);
    check(b, DropReason::auth_mismatch);
    Expected more = e;
    more.address_count = 3;
    check(good, DropReason::address_count_mismatch, 255, more, true);
    Expected slower = e;
    slower.interval_cs = 200;
    check(good, DropReason::interval_mismatch, 255, slower, true);

    // bad_family: v2 over IPv6, mixed families, instance of the other family.
    BOOST_CHECK(drop_of(decode(good, src6, dst6, 255, e)) == DropReason::bad_family);
    BOOST_CHECK(drop_of(decode(good, src4, dst6, 255, e)) == DropReason::bad_family);
    Expected v6 = e;
    v6.version = Version::v3;
    v6.family = AF_INET6;
    BOOST_CHECK(drop_of(decode(good, src4, dst4, 255, v6)) == DropReason::bad_family);
    counters.count(DropReason::bad_family);

    counters.for_each([](DropReason r, uint64_t c) {
        // unknown_source is the socket shell's (a unicast sender not among the peers).
        BOOST_CHECK_MESSAGE(c >= 1 || r == DropReason::unknown_source,
                            "reason never triggered: " << name(r));
    });
    BOOST_CHECK_EQUAL(counters[DropReason::truncated], 2u);
    BOOST_CHECK_EQUAL(counters.total(), 13u);
    BOOST_CHECK(counters.to_string().find("truncated=2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(v3_interval_differs_yet_accepted) {
    Advert a;
    a.vrid = 1;
    a.priority = 100;
    a.interval_cs = 350;
    a.addresses = {ip("10.0.0.1")};
    Expected e = expect_for(a, AF_INET);
    e.interval_cs = 100;
    auto r = decode(encode(a, src4, dst4), src4, dst4, 255, e);
    BOOST_REQUIRE(std::holds_alternative<Advert>(r));
    BOOST_CHECK_EQUAL(std::get<Advert>(r).interval_cs, 350);
}

BOOST_AUTO_TEST_CASE(v3_reserved_bits_ignored_but_checksummed) {
    Advert a;
    a.vrid = 1;
    a.priority = 100;
    a.addresses = {ip("10.0.0.1")};
    auto b = encode(a, src4, dst4);
    b[4] |= 0xf0;
    refresh(b, Version::v3, src4, dst4);
    auto r = decode(b, src4, dst4, 255, expect_for(a, AF_INET));
    BOOST_REQUIRE(std::holds_alternative<Advert>(r));
    BOOST_CHECK_EQUAL(std::get<Advert>(r).interval_cs, 100);
}

BOOST_AUTO_TEST_CASE(encode_rejects_unrepresentable) {
    Advert a = v2_advert();
    a.interval_cs = 150;
    BOOST_CHECK_THROW(encode(a, src4, dst4), std::invalid_argument);
    a = v2_advert();
    BOOST_CHECK_THROW(encode(a, src6, dst6), std::invalid_argument);
    a.version = Version::v3;
    BOOST_CHECK_THROW(encode(a, src6, dst6), std::invalid_argument); // IPv4 addrs in IPv6
    a.interval_cs = 0x1000;
    BOOST_CHECK_THROW(encode(a, src4, dst4), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(random_bytes_never_crash) {
    std::mt19937 rng(12345);
    Advert base = v2_advert();
    Expected e2 = expect_for(base, AF_INET);
    Expected e3 = e2;
    e3.version = Version::v3;
    Expected e6 = e3;
    e6.family = AF_INET6;
    std::size_t accepted = 0;
    for (int i = 0; i < 20000; ++i) {
        std::vector<uint8_t> b(rng() % 120);
        for (auto& x : b)
            x = static_cast<uint8_t>(rng());
        if (!b.empty() && i % 2) // often a plausible header so deeper checks run
            b[0] = static_cast<uint8_t>(i % 4 ? 0x21 : 0x31);
        if (b.size() > 3 && i % 3 == 0)
            b[3] = static_cast<uint8_t>(rng() % 4);
        for (const Expected* e : {&e2, &e3}) {
            auto r = decode(b, src4, dst4, 255, *e);
            accepted += std::holds_alternative<Advert>(r);
        }
        accepted += std::holds_alternative<Advert>(decode(b, src6, dst6, 255, e6));
    }
    BOOST_TEST_MESSAGE("random packets accepted: " << accepted);
}
