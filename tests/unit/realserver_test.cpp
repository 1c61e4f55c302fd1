#define BOOST_TEST_MODULE realserver
#include <boost/test/unit_test.hpp>

#include "conf/reader.h"
#include "config.h"
#include "connections.h"
#include "drain_acks.h"
#include "host_plan.h"
#include "readiness.h"
#include "report_sender.h"
#include "state_file.h"
#include "sys/sysctl.h"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <thread>

using namespace lvsd;
using namespace lvsd::realserver;

static Config parse(const std::string& text) {
    conf::Diagnostics d;
    conf::Reader r(d);
    return parse_config(conf::build_statements(r.read_string(text, "rs.conf")));
}

static std::string error_of(const std::string& text) {
    try {
        parse(text);
    } catch (const conf::ConfigError& e) {
        return e.what();
    }
    return "no error";
}

BOOST_AUTO_TEST_CASE(full_config) {
    Config c = parse(
        "virtual_ipaddress {\n"
        "  10.0.0.100        # DR\n"
        "  10.0.0.101 mode tun\n"
        "  2001:db8::1\n"
        "}\n"
        "service web {\n"
        "  port 80\n"
        "  http_get { path /healthz\n host www.example.com\n status_code 204\n timeout 0.5 }\n"
        "}\n"
        "check_interval 0.5\n"
        "agent_port 7777\n");
    BOOST_REQUIRE_EQUAL(c.vips.size(), 3u);
    BOOST_CHECK(c.vips[1].mode == VipMode::tun);
    BOOST_REQUIRE_EQUAL(c.services.size(), 1u);
    BOOST_CHECK_EQUAL(c.services[0].port, 80);
    BOOST_REQUIRE(c.services[0].http);
    BOOST_CHECK_EQUAL(c.services[0].http->host, "www.example.com");
    BOOST_CHECK_EQUAL(c.services[0].http->status_code, 204);
    BOOST_CHECK_EQUAL(c.check_interval, 0.5);
    BOOST_CHECK_EQUAL(c.agent_port, 7777);
}

BOOST_AUTO_TEST_CASE(errors_name_their_place) {
    BOOST_CHECK_EQUAL(error_of("virtual_ipaddress {\n  10.0.0.300\n}\n"),
                      "rs.conf:2:3: error: '10.0.0.300' is not an IPv4 or IPv6 address");
    BOOST_CHECK_EQUAL(
        error_of("virtual_ipaddress {\n 10.0.0.1/24\n}\n"),
        "rs.conf:2:2: error: a VIP on a real server is a single address (/32), not '10.0.0.1/24'");
    BOOST_CHECK_EQUAL(error_of("virtual_ipaddress {\n 10.0.0.1 mode nat\n}\n"),
                      "rs.conf:2:16: error: mode is 'dr' or 'tun', not 'nat'");
    BOOST_CHECK_EQUAL(error_of("virtual_ipaddress {\n 10.0.0.1\n 10.0.0.1\n}\n"),
                      "rs.conf:3:2: error: VIP 10.0.0.1 is listed twice");
    BOOST_CHECK_EQUAL(error_of("service web {\n port 70000\n}\n"),
                      "rs.conf:2:7: error: '70000' is not a number from 1 to 65535");
    BOOST_CHECK_EQUAL(error_of("service web {\n}\n"),
                      "rs.conf:1:1: error: service 'web' needs a port");
    BOOST_CHECK_EQUAL(error_of("vips {\n}\n"),
                      "rs.conf:1:1: error: unknown keyword 'vips' (expected virtual_ipaddress, "
                      "service, check_interval, agent_port, agent_address, report_to, "
                      "report_port, report_key_file, report_host, drain_timeout)");
    BOOST_CHECK_EQUAL(error_of("report_to 10.0.0.1\n"),
                      "rs.conf:1:1: error: report_to needs report_key_file: directors accept "
                      "only authenticated reports");
    BOOST_CHECK_EQUAL(error_of("check_interval\n"),
                      "rs.conf:1:16: error: 'check_interval' needs a value");
}

BOOST_AUTO_TEST_CASE(vip_argument) {
    BOOST_CHECK(parse_vip_argument("10.1.1.1,tun").mode == VipMode::tun);
    BOOST_CHECK_THROW(parse_vip_argument("10.1.1"), conf::ConfigError);
    BOOST_CHECK_THROW(parse_vip_argument("fd00::1,tun"), conf::ConfigError);
    Config c = parse("virtual_ipaddress {\n 10.1.1.1\n}\n");
    c.vips.push_back(parse_vip_argument("10.1.1.1"));
    BOOST_CHECK_THROW(check_unique_vips(c), conf::ConfigError);
}

BOOST_AUTO_TEST_CASE(plan_labels_and_sysctls) {
    Config c = parse("virtual_ipaddress {\n 10.0.0.1\n fd00::1\n 10.0.0.2\n}\n");
    HostPlan p = plan_host(c);
    BOOST_REQUIRE_EQUAL(p.addresses.size(), 3u);
    BOOST_CHECK_EQUAL(p.addresses[0].label, "lo:0");
    BOOST_CHECK_EQUAL(p.addresses[1].label, "");
    BOOST_CHECK_EQUAL(p.addresses[2].label, "lo:1");
    BOOST_CHECK_EQUAL(p.addresses[2].device, "lo");
    BOOST_REQUIRE_EQUAL(p.sysctls.size(), 4u);
    BOOST_CHECK_EQUAL(p.sysctls[0].key, "net.ipv4.conf.lo.arp_ignore");
    BOOST_CHECK_EQUAL(p.sysctls[0].value, "1");
    BOOST_CHECK_EQUAL(p.sysctls[3].key, "net.ipv4.conf.all.arp_announce");
    BOOST_CHECK_EQUAL(p.sysctls[3].value, "2");
    BOOST_CHECK(!p.needs_tunl0);
}

BOOST_AUTO_TEST_CASE(plan_ipv6_only_needs_no_arp_sysctls) {
    HostPlan p = plan_host(parse("virtual_ipaddress {\n fd00::1\n}\n"));
    BOOST_CHECK(p.sysctls.empty());
}

BOOST_AUTO_TEST_CASE(plan_tun) {
    HostPlan p = plan_host(parse("virtual_ipaddress {\n 10.0.0.1 mode tun\n}\n"));
    BOOST_CHECK(p.needs_tunl0);
    BOOST_CHECK_EQUAL(p.addresses[0].device, "tunl0");
    BOOST_CHECK_EQUAL(p.sysctls.back().key, "net.ipv4.conf.tunl0.rp_filter");
}

BOOST_AUTO_TEST_CASE(state_round_trip) {
    State s;
    s.config = "/etc/lvsd/realserver.conf";
    s.started_at = 1700000000;
    s.drained = true;
    s.sysctls.push_back({"net.ipv4.conf.lo.arp_ignore", "2", "1"});
    s.addresses.push_back({*net::IpAddress::parse("10.0.0.1"), "lo", "lo:0"});
    s.addresses.push_back({*net::IpAddress::parse("fd00::1"), "lo", ""});
    s.raised.push_back("tunl0");
    State t = state_from_json(state_to_json(s));
    BOOST_CHECK(t.raised == std::vector<std::string>{"tunl0"});
    BOOST_CHECK_EQUAL(t.config, s.config);
    BOOST_CHECK_EQUAL(t.started_at, s.started_at);
    BOOST_CHECK(t.drained);
    BOOST_REQUIRE(t.sysctl("net.ipv4.conf.lo.arp_ignore"));
    BOOST_CHECK_EQUAL(t.sysctl("net.ipv4.conf.lo.arp_ignore")->original, "2");
    BOOST_CHECK(t.has_address(*net::IpAddress::parse("fd00::1"), "lo"));
    BOOST_CHECK(!t.has_address(*net::IpAddress::parse("fd00::1"), "tunl0"));
    BOOST_CHECK_EQUAL(t.addresses[0].label, "lo:0");
    BOOST_CHECK_THROW(state_from_json("{\"version\": 1}"), std::runtime_error);
    BOOST_CHECK_THROW(state_from_json("not json"), std::runtime_error);
    // A file of before "raised": nothing was recorded as brought up.
    BOOST_CHECK(
        state_from_json(R"({"version": 1, "sysctls": [], "addresses": []})").raised.empty());
}

BOOST_AUTO_TEST_CASE(readiness_reports_first_failure) {
    HostStatus hs;
    hs.started = true;
    hs.addresses.push_back({{*net::IpAddress::parse("10.0.0.1"), "lo", "lo:0"}, true});
    hs.sysctls.push_back({"net.ipv4.conf.all.arp_ignore", "1", "0", "0"});
    Readiness r = evaluate(hs, {{"service web port 80", false, "nothing listens"}});
    BOOST_CHECK(!r.ready());
    BOOST_CHECK_EQUAL(r.agent_text(), "down #sysctl net.ipv4.conf.all.arp_ignore: is 0, want 1");
    hs.sysctls[0].actual = "1";
    r = evaluate(hs, {{"service web port 80", true, "listening"}});
    BOOST_CHECK(r.ready());
    BOOST_CHECK_EQUAL(r.agent_text(), "up");
    hs.state.drained = true;
    BOOST_CHECK_EQUAL(evaluate(hs, {}).agent_text(), "drain");
    hs.started = false;
    BOOST_CHECK_EQUAL(evaluate(hs, {}).agent_text(), "down #started: not started");
}

BOOST_AUTO_TEST_CASE(established_connections_to_the_vips) {
    // /proc/net/tcp prints each address word byte-swapped on this host: 10.77.0.100 is
    // 64004D0A; port 80 is 0050; state 01 is ESTABLISHED, 0A LISTEN, 06 TIME_WAIT.
    const std::string v4 =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid\n"
        "   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0\n"
        "   1: 64004D0A:0050 32004D0A:D431 01 00000000:00000000 00:00000000 00000000     0\n"
        "   2: 64004D0A:0050 32004D0A:D432 06 00000000:00000000 00:00000000 00000000     0\n"
        "   3: 0B004D0A:0050 32004D0A:D433 01 00000000:00000000 00:00000000 00000000     0\n"
        "   4: 64004D0A:01BB 32004D0A:D434 01 00000000:00000000 00:00000000 00000000     0\n"
        "   5: 64004D0A:0050 32004D0A:D435 03 00000000:00000000 00:00000000 00000000     0\n";
    std::vector<net::IpAddress> vips = {*net::IpAddress::parse("10.77.0.100")};
    BOOST_CHECK_EQUAL(count_established(v4, vips, {80}), 2); // SYN_RECV (03) counts too
    BOOST_CHECK_EQUAL(count_established(v4, vips, {}), 3);   // any port
    BOOST_CHECK_EQUAL(count_established(v4, vips, {8080}), 0);
    // 2001:db8::100 as four byte-swapped words.
    const std::string v6 =
        "  sl  local_address                         remote_address                        st\n"
        "   0: B80D0120000000000000000000010000:0050 B80D0120000000000000000050000000:D431 01\n";
    std::vector<net::IpAddress> vips6 = {*net::IpAddress::parse("2001:db8::100")};
    BOOST_CHECK_EQUAL(count_established(v6, vips6, {80}), 1);
    BOOST_CHECK_EQUAL(count_established(v6, vips, {80}), 0);
    // A dual-stack listener (Go, Java, nginx with ipv6only=off) holds IPv4 clients in tcp6, to
    // ::ffff:10.0.0.100: those are connections to the IPv4 VIP.
    const std::string mapped =
        "  sl  local_address                         remote_address                        st\n"
        "   0: 0000000000000000FFFF00006400000A:0050 0000000000000000FFFF00000500000A:D431 01\n";
    std::vector<net::IpAddress> vip4 = {*net::IpAddress::parse("10.0.0.100")};
    BOOST_CHECK_EQUAL(count_established(mapped, vip4, {80}), 1);
    BOOST_CHECK_EQUAL(count_established(mapped, vips6, {80}), 0);
}

BOOST_AUTO_TEST_CASE(drain_waits_for_an_ack_from_every_director) {
    using V = DrainAcks::Verdict;
    DrainAcks acks({"10.77.0.1", "10.77.0.2", "10.77.0.1"}, "rs1", 7, 1000);
    BOOST_TEST(!acks.all());
    BOOST_TEST(acks.missing().size() == 2u);
    agent::Ack a{"d1", "rs1", 7, 1000, "drain"};
    BOOST_TEST((acks.take("10.77.0.9", a) == V::not_a_director));
    BOOST_TEST(
        (acks.take("10.77.0.1", agent::Ack{"d1", "rs2", 7, 1000, "drain"}) == V::other_host));
    BOOST_TEST(
        (acks.take("10.77.0.1", agent::Ack{"d1", "rs1", 6, 1000, "up"}) == V::earlier_report));
    // A later run's seq may be high again: the echoed clock tells the runs apart.
    BOOST_TEST(
        (acks.take("10.77.0.1", agent::Ack{"d1", "rs1", 99, 999, "drain"}) == V::earlier_report));
    BOOST_TEST(!acks.all());
    BOOST_TEST((acks.take("10.77.0.1", a) == V::counted));
    BOOST_TEST((acks.take("10.77.0.1", agent::Ack{"d1", "rs1", 8, 2000, "drain"}) == V::repeated));
    BOOST_TEST(acks.missing() == std::vector<std::string>{"10.77.0.2"});
    BOOST_TEST((acks.take("10.77.0.2", agent::Ack{"d2", "rs1", 8, 2000, "drain"}) == V::counted));
    BOOST_TEST(acks.all());
}

// Report numbers start from the wall clock, so a restarted agent's reports number after its
// previous run's (a director's replay guard then refuses those).
BOOST_AUTO_TEST_CASE(report_numbers_follow_the_clock_across_runs) {
    boost::asio::io_context io;
    auto now_ms = [] {
        return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count());
    };
    uint64_t before = now_ms();
    ReportSender first(io, {}, 7707, std::vector<uint8_t>(32, 1), "rs1");
    first.report("up");
    first.report("drain");
    BOOST_TEST(first.last_report().seq > before);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ReportSender second(io, {}, 7707, std::vector<uint8_t>(32, 1), "rs1");
    second.report("up");
    BOOST_TEST(second.last_report().seq > first.last_report().seq);
}

// A VLAN device's name has a dot, which the dotted sysctl name writes as a slash (sysctl(8)).
BOOST_AUTO_TEST_CASE(sysctl_names_of_devices_with_dots) {
    BOOST_TEST(sys::sysctl_path("net.ipv4.conf.lo.arp_ignore") ==
               "/proc/sys/net/ipv4/conf/lo/arp_ignore");
    BOOST_TEST(sys::sysctl_name_part("eth0.100") == "eth0/100");
    BOOST_TEST(sys::sysctl_path("net.ipv4.conf." + sys::sysctl_name_part("eth0.100") +
                                ".rp_filter") == "/proc/sys/net/ipv4/conf/eth0.100/rp_filter");
}
