// The daemon's pure helpers: announcement frames, the IPv4 header a raw socket delivers, the
// configuration → instance spec mapping that reload compares, agent states → table weights.
#define BOOST_TEST_MODULE vrrp_io
#include <boost/test/unit_test.hpp>

#include "conf/reader.h"
#include "conf/statement.h"
#include "director/agent/report_weights.h"
#include "director/config/checks.h"
#include "director/config/parser.h"
#include "vrrp/announce.h"
#include "vrrp/instance_spec.h"
#include "vrrp/ipv4_header.h"

#include <netinet/in.h>

using namespace lvsd;
using namespace lvsd::vrrp;

namespace {

net::IpAddress ip(const char* s) {
    return *net::IpAddress::parse(s);
}

const std::array<uint8_t, 6> mac = {0x02, 0x1a, 0xb0, 0x00, 0x00, 0x01};

std::vector<InstanceSpec> specs_of(const std::string& text) {
    conf::Diagnostics diags;
    conf::Reader r(diags);
    auto c = director::config::parse_config(conf::build_statements(r.read_string(text, "t.conf")),
                                            diags);
    director::config::check_config(c, diags);
    BOOST_REQUIRE(!diags.has_errors());
    return build_specs(c);
}

} // namespace

BOOST_AUTO_TEST_CASE(gratuitous_arp_names_the_vip_as_sender_and_target) {
    auto p = gratuitous_arp(mac, ip("10.77.0.100"));
    std::vector<uint8_t> want = {0,  1,  8, 0,   6, 4, 0, 1, 0x02, 0x1a, 0xb0, 0,  0, 1,
                                 10, 77, 0, 100, 0, 0, 0, 0, 0,    0,    10,   77, 0, 100};
    BOOST_TEST(p == want, boost::test_tools::per_element());
    BOOST_CHECK_THROW(gratuitous_arp(mac, ip("2001:db8::1")), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(unsolicited_na_overrides_and_carries_the_mac) {
    auto vip = ip("2001:db8::100");
    auto p = unsolicited_na(mac, vip);
    BOOST_REQUIRE_EQUAL(p.size(), 32u);
    BOOST_CHECK_EQUAL(p[0], 136);
    BOOST_CHECK_EQUAL(p[4], 0x20); // Override, not Solicited, not Router
    BOOST_CHECK(std::equal(vip.bytes.begin(), vip.bytes.end(), p.begin() + 8));
    BOOST_CHECK_EQUAL(p[24], 2); // target link-layer address option
    BOOST_CHECK_EQUAL(p[25], 1);
    BOOST_CHECK(std::equal(mac.begin(), mac.end(), p.begin() + 26));
    BOOST_CHECK_THROW(unsolicited_na(mac, ip("10.0.0.1")), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(ipv4_header_gives_ttl_addresses_and_payload) {
    std::vector<uint8_t> pkt = {
        0x45, 0, 0, 24,  0, 0, 0,  0,    255,  112,  0,    0,   10,
        77,   0, 1, 224, 0, 0, 18, 0xaa, 0xbb, 0xcc, 0xdd, 0xee /* trailer */};
    auto p = parse_ipv4(pkt);
    BOOST_REQUIRE(p);
    BOOST_CHECK_EQUAL(p->ttl, 255);
    BOOST_CHECK_EQUAL(p->protocol, 112);
    BOOST_CHECK_EQUAL(p->src.str(), "10.77.0.1");
    BOOST_CHECK_EQUAL(p->dst.str(), "224.0.0.18");
    BOOST_CHECK_EQUAL(p->payload.size(), 4u); // total length 24, the trailer is not payload
    // Options (IHL 6) are skipped.
    std::vector<uint8_t> opt = {0x46, 0, 0,   28, 0, 0,  0, 0, 255, 112, 0,    0,    10,   77,
                                0,    1, 224, 0,  0, 18, 1, 1, 1,   1,   0xaa, 0xbb, 0xcc, 0xdd};
    BOOST_REQUIRE(parse_ipv4(opt));
    BOOST_CHECK_EQUAL(parse_ipv4(opt)->payload[0], 0xaa);
}

BOOST_AUTO_TEST_CASE(ipv4_header_refuses_what_it_cannot_read) {
    std::vector<uint8_t> ok = {0x45, 0, 0, 20, 0, 0, 0, 0, 255, 112, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
    BOOST_CHECK(parse_ipv4(ok));
    BOOST_CHECK(!parse_ipv4(std::span(ok).first(19)));
    auto v6 = ok;
    v6[0] = 0x65;
    BOOST_CHECK(!parse_ipv4(v6));
    auto short_ihl = ok;
    short_ihl[0] = 0x44;
    BOOST_CHECK(!parse_ipv4(short_ihl));
    auto too_long = ok;
    too_long[3] = 40; // claims more than it holds
    BOOST_CHECK(!parse_ipv4(too_long));
    auto ihl_past_total = ok;
    ihl_past_total[0] = 0x4f;
    BOOST_CHECK(!parse_ipv4(ihl_past_total));
}

BOOST_AUTO_TEST_CASE(spec_from_a_classic_v2_instance) {
    auto specs = specs_of(R"(
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    nopreempt
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    virtual_ipaddress {
        10.77.0.100/24 dev eth1 label eth1:vip
        10.77.0.101
    }
    virtual_ipaddress_excluded {
        2001:db8::100
    }
}
)");
    BOOST_REQUIRE_EQUAL(specs.size(), 1u);
    const auto& s = specs[0];
    BOOST_CHECK_EQUAL(s.name, "VI_1");
    BOOST_CHECK_EQUAL(s.family, AF_INET);
    BOOST_CHECK(s.params.version == Version::v2);
    BOOST_CHECK_EQUAL(s.params.advert_interval_cs, 100);
    BOOST_CHECK(!s.params.preempt);
    BOOST_CHECK(s.advert.auth_type == AuthType::simple);
    BOOST_CHECK(s.expected.password == make_password("1111"));
    BOOST_REQUIRE_EQUAL(s.vips.size(), 3u);
    BOOST_CHECK_EQUAL(s.vips[0].dev, "eth1");
    BOOST_CHECK_EQUAL(s.vips[0].label, "eth1:vip");
    BOOST_CHECK_EQUAL(s.vips[0].address.prefix_len, 24);
    BOOST_CHECK_EQUAL(s.vips[1].dev, "eth0");
    BOOST_CHECK(!s.vips[2].advertised);
    // Adverts carry the two IPv4 addresses, without their prefix.
    BOOST_REQUIRE_EQUAL(s.advert.addresses.size(), 2u);
    BOOST_CHECK_EQUAL(s.advert.addresses[0].prefix_len, 32);
    BOOST_CHECK_EQUAL(s.expected.address_count, 2u);
    BOOST_CHECK(s.unicast_peers.empty());
}

BOOST_AUTO_TEST_CASE(spec_v3_unicast_and_reload_equality) {
    const std::string text = R"(
global_defs { vrrp_version 3 }
vrrp_instance VI_6 {
    interface eth0
    virtual_router_id 61
    priority 150
    advert_int 0.05
    unicast_src_ip 10.0.0.1
    unicast_peer { 10.0.0.2 }
    virtual_ipaddress { 10.0.0.100 }
    garp_master_delay 2
    garp_master_refresh 30
}
)";
    auto a = specs_of(text);
    BOOST_REQUIRE_EQUAL(a.size(), 1u);
    BOOST_CHECK(a[0].params.version == Version::v3);
    BOOST_CHECK_EQUAL(a[0].params.advert_interval_cs, 5);
    BOOST_CHECK_EQUAL(a[0].source->str(), "10.0.0.1");
    BOOST_REQUIRE_EQUAL(a[0].unicast_peers.size(), 1u);
    BOOST_CHECK(a[0].garp.master_delay == Duration(2'000'000));
    BOOST_CHECK(a[0].garp.master_refresh == Duration(30'000'000));
    // The same text gives an equal spec (reload keeps the instance); a priority change does not.
    BOOST_CHECK(specs_of(text)[0] == a[0]);
    auto changed = text;
    changed.replace(changed.find("priority 150"), 12, "priority 151");
    BOOST_CHECK(!(specs_of(changed)[0] == a[0]));
    BOOST_CHECK(!specs_of(changed)[0].same_but_addresses(a[0]));
    // Another VIP or garp setting is taken in place (Instance::update), not by a restart.
    auto vip = text;
    vip.replace(vip.find("10.0.0.100 }"), 12, "10.0.0.100\n 10.0.0.101 }");
    vip.replace(vip.find("garp_master_refresh 30"), 22, "garp_master_refresh 60");
    auto b = specs_of(vip)[0];
    BOOST_CHECK(!(b == a[0]));
    BOOST_CHECK(b.same_but_addresses(a[0]) && a[0].same_but_addresses(b));
    BOOST_CHECK_EQUAL(b.advert.addresses.size(), 2u);
}

BOOST_AUTO_TEST_CASE(agent_states_become_weights) {
    using lvsd::director::agent::weight_under;
    BOOST_CHECK_EQUAL(weight_under("up", 3), 3);
    BOOST_CHECK_EQUAL(weight_under("ready", 3), 3);
    BOOST_CHECK_EQUAL(weight_under("drain", 3), 0);
    BOOST_CHECK_EQUAL(weight_under("down #nginx not listening", 3), 0);
    BOOST_CHECK_EQUAL(weight_under("maint", 3), 0);
    BOOST_CHECK_EQUAL(weight_under("50%", 4), 2);
    BOOST_CHECK_EQUAL(weight_under("150%", 4), 0); // nonsense is not "up"
    BOOST_CHECK_EQUAL(weight_under("x%", 4), 0);

    conf::Diagnostics diags;
    conf::Reader r(diags);
    auto c = director::config::parse_config(conf::build_statements(r.read_string(R"(
virtual_server 10.0.0.100 80 {
    real_server 10.0.0.11 80 {
        weight 3
    }
    real_server 10.0.0.12 80
}
)",
                                                                                 "t.conf")),
                                            diags);
    std::map<std::string, director::agent::HostState> hosts;
    hosts["10.0.0.11/rs1"].state = "drain";
    hosts["10.0.0.11/rs1"].from = "10.0.0.11";
    hosts["10.0.0.12/rs2"].state = "up";
    hosts["10.0.0.12/rs2"].from = "10.0.0.12";
    hosts["10.0.0.1/rs3"].state = "drain"; // not 10.0.0.11's: a prefix of the address is not it
    hosts["10.0.0.1/rs3"].from = "10.0.0.1";
    auto w = director::agent::report_weights(c, hosts);
    BOOST_REQUIRE_EQUAL(w.size(), 1u);
    BOOST_CHECK_EQUAL((w.at({0, 0})), 0);

    // A second name from 10.0.0.12 (an agent renamed): the latest report counts, whichever name
    // sorts first.
    auto t = std::chrono::steady_clock::now();
    hosts["10.0.0.12/rs2"].received = t;
    hosts["10.0.0.12/a-rename"] = {"drain", "10.0.0.12", 9, t - std::chrono::seconds(1)};
    BOOST_CHECK_EQUAL(director::agent::report_weights(c, hosts).count({0, 1}), 0u);
    hosts["10.0.0.12/a-rename"].received = t + std::chrono::seconds(1);
    BOOST_CHECK_EQUAL((director::agent::report_weights(c, hosts).at({0, 1})), 0);
}
