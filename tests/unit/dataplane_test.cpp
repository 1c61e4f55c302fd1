#define BOOST_TEST_MODULE dataplane
#include <boost/test/unit_test.hpp>

#include "conf/reader.h"
#include "conf/statement.h"
#include "director/config/parser.h"
#include "director/dataplane/desired_table.h"
#include "director/dataplane/diff.h"
#include "director/dataplane/ipvs/attrs.h"
#include "director/dataplane/ipvs/genl_socket.h"
#include "director/dataplane/ipvs/sync_plan.h"
#include "director/dataplane/table_json.h"

#include <arpa/inet.h>
#include <cstring>
#include <linux/ip_vs.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <sys/socket.h>

using namespace lvsd;
using namespace lvsd::director;
using namespace lvsd::director::dataplane;

namespace {

config::Config parse(const std::string& text) {
    conf::Diagnostics d;
    conf::Reader r(d);
    auto c = config::parse_config(conf::build_statements(r.read_string(text, "t.conf")), d);
    BOOST_REQUIRE_MESSAGE(!d.has_errors(), "config has errors");
    return c;
}

net::IpAddress ip(const std::string& s) {
    auto a = net::IpAddress::parse(s);
    BOOST_REQUIRE(a);
    return *a;
}

ServiceKey tcp(const std::string& addr, uint16_t port) {
    return ServiceKey::by_address(Protocol::tcp, ip(addr), port);
}

Destination dest(const std::string& addr, uint16_t port, int weight = 1, Forward f = Forward::nat) {
    Destination d;
    d.key = DestinationKey{ip(addr), port};
    d.weight = weight;
    d.forward = f;
    return d;
}

Service service(const ServiceKey& k, const std::string& sched = "wlc",
                std::vector<Destination> dests = {}) {
    Service s;
    s.key = k;
    s.scheduler = sched;
    for (const auto& d : dests)
        s.add(d);
    return s;
}

std::vector<std::string> strs(const std::vector<Op>& ops) {
    std::vector<std::string> out;
    for (const auto& o : ops)
        out.push_back(o.str());
    return out;
}

using Lines = std::vector<std::string>;

} // namespace

BOOST_TEST_DONT_PRINT_LOG_VALUE(Lines)

// ---------------------------------------------------------------- table

BOOST_AUTO_TEST_CASE(service_key_identity) {
    auto a = tcp("10.0.0.1", 80);
    auto b = ServiceKey::by_address(Protocol::tcp, ip("10.0.0.1/24"), 80);
    BOOST_CHECK(a == b); // the prefix length is not part of the identity
    BOOST_CHECK(tcp("10.0.0.1", 80) != tcp("10.0.0.1", 81));
    BOOST_CHECK(ServiceKey::by_address(Protocol::udp, ip("10.0.0.1"), 80) != a);
    BOOST_CHECK(ServiceKey::by_fwmark(AF_INET, 7) == ServiceKey::by_fwmark(AF_INET, 7));
    BOOST_CHECK(ServiceKey::by_fwmark(AF_INET, 7) != ServiceKey::by_fwmark(AF_INET6, 7));
    auto f = ServiceKey::by_fwmark(AF_INET, 7);
    f.port = 99; // meaningless for a fwmark service
    BOOST_CHECK(f == ServiceKey::by_fwmark(AF_INET, 7));
    BOOST_CHECK_EQUAL(a.str(), "TCP 10.0.0.1:80");
    BOOST_CHECK_EQUAL(ServiceKey::by_address(Protocol::sctp, ip("fd00::1"), 80).str(),
                      "SCTP [fd00::1]:80");
    BOOST_CHECK_EQUAL(ServiceKey::by_fwmark(AF_INET6, 7).str(), "FWM 7 IPv6");
}

BOOST_AUTO_TEST_CASE(mask_prefixes) {
    BOOST_CHECK_EQUAL(*mask_prefix(ip("255.255.255.0")), 24);
    BOOST_CHECK_EQUAL(*mask_prefix(ip("255.255.255.255")), 32);
    BOOST_CHECK_EQUAL(*mask_prefix(ip("0.0.0.0")), 0);
    BOOST_CHECK_EQUAL(*mask_prefix(ip("ffff:ffff:ffff:ff80::")), 57);
    BOOST_CHECK(!mask_prefix(ip("255.0.255.0")));
}

BOOST_AUTO_TEST_CASE(destination_settings_ignore_counters_and_unused_tunnel_fields) {
    auto a = dest("10.0.0.2", 80), b = a;
    b.active_conns = 5;
    b.stats.conns = 10;
    b.tunnel_port = 99; // not a tunnel: ignored
    BOOST_CHECK(same_settings(a, b));
    b.weight = 2;
    BOOST_CHECK(!same_settings(a, b));
    a.forward = b.forward = Forward::tun;
    b.weight = 1;
    a.tunnel_type = b.tunnel_type = TunnelType::gue;
    BOOST_CHECK(!same_settings(a, b));
    a.tunnel_port = 99;
    BOOST_CHECK(same_settings(a, b));
    a.tunnel_flags = tunnel_flag::csum;
    BOOST_CHECK(!same_settings(a, b));
}

// ---------------------------------------------------------------- desired table

BOOST_AUTO_TEST_CASE(desired_from_virtual_servers) {
    auto c = parse(R"(
virtual_server 10.0.0.1 80 {
    lvs_sched rr
    lvs_method DR
    persistence_timeout 300
    persistence_granularity 255.255.255.0
    real_server 10.0.1.1 80 { weight 3 }
    real_server 10.0.1.2 {
        uthreshold 100
        lthreshold 10
    }
}
virtual_server fwmark 7 {
    lvs_sched sh
    real_server fd00::2 0 { weight 2 }
}
virtual_server fd00::1 443 {
    protocol UDP
    lvs_method TUN
    real_server fd00::3 443 { weight 0 }
}
)");
    auto d = desired_table(c);
    BOOST_CHECK(d.notes.empty());
    const auto& t = d.table;
    BOOST_REQUIRE_EQUAL(t.services.size(), 3u);

    const auto& s1 = t.services.at(tcp("10.0.0.1", 80));
    BOOST_CHECK_EQUAL(s1.scheduler, "rr");
    BOOST_REQUIRE(s1.persistence);
    BOOST_CHECK_EQUAL(s1.persistence->timeout, 300u);
    BOOST_CHECK_EQUAL(s1.persistence->prefix_len, 24);
    BOOST_REQUIRE_EQUAL(s1.destinations.size(), 2u);
    const auto& r1 = s1.destinations.at(DestinationKey{ip("10.0.1.1"), 80});
    BOOST_CHECK(r1.forward == Forward::dr);
    BOOST_CHECK_EQUAL(r1.weight, 3);
    // a real server without a port takes the service's
    const auto& r2 = s1.destinations.at(DestinationKey{ip("10.0.1.2"), 80});
    BOOST_CHECK_EQUAL(r2.weight, 1);
    BOOST_CHECK_EQUAL(r2.u_threshold, 100u);
    BOOST_CHECK_EQUAL(r2.l_threshold, 10u);

    // a fwmark service takes its family from the real servers
    const auto& s2 = t.services.at(ServiceKey::by_fwmark(AF_INET6, 7));
    BOOST_CHECK_EQUAL(s2.scheduler, "sh");
    BOOST_CHECK(!s2.persistence);
    BOOST_CHECK_EQUAL(s2.destinations.at(DestinationKey{ip("fd00::2"), 0}).weight, 2);

    const auto& s3 = t.services.at(ServiceKey::by_address(Protocol::udp, ip("fd00::1"), 443));
    BOOST_CHECK_EQUAL(s3.scheduler, "wlc");
    const auto& r3 = s3.destinations.at(DestinationKey{ip("fd00::3"), 443});
    BOOST_CHECK(r3.forward == Forward::tun);
    BOOST_CHECK(r3.tunnel_type == TunnelType::ipip);
    BOOST_CHECK_EQUAL(r3.weight, 0);
}

BOOST_AUTO_TEST_CASE(desired_persistence_defaults_to_a_host_mask) {
    auto c = parse("virtual_server 10.0.0.1 0 {\n persistence_timeout\n real_server 10.0.1.1 0\n}\n"
                   "virtual_server fd00::1 0 {\n persistence_timeout 60\n"
                   " real_server fd00::2 0\n}\n");
    auto t = desired_table(c).table;
    BOOST_CHECK(*t.services.at(tcp("10.0.0.1", 0)).persistence == (Persistence{360, 32}));
    BOOST_CHECK(*t.services.at(tcp("fd00::1", 0)).persistence == (Persistence{60, 128}));
}

BOOST_AUTO_TEST_CASE(desired_group_expansion) {
    auto c = parse(R"(
virtual_server_group web {
    10.0.0.1 80
    10.0.0.10-12 8080
    fd00::1:8-9 80
    fwmark 9
}
virtual_server group web {
    lvs_sched wrr
    real_server 10.0.1.1 { weight 5 }
}
)");
    auto d = desired_table(c);
    const auto& t = d.table;
    std::vector<std::string> keys;
    for (const auto& [k, s] : t.services)
        keys.push_back(k.str());
    // map order: family, then fwmark (0 for address services), then address
    Lines want = {
        "TCP 10.0.0.1:80", "TCP 10.0.0.10:8080", "TCP 10.0.0.11:8080", "TCP 10.0.0.12:8080",
        "FWM 9",           "TCP [fd00::1:8]:80", "TCP [fd00::1:9]:80"};
    BOOST_CHECK_EQUAL_COLLECTIONS(keys.begin(), keys.end(), want.begin(), want.end());
    // each member has the real server, on the member's port (fwmark: 0)
    BOOST_CHECK_EQUAL(t.services.at(tcp("10.0.0.11", 8080))
                          .destinations.count(DestinationKey{ip("10.0.1.1"), 8080}),
                      1u);
    BOOST_CHECK_EQUAL(t.services.at(ServiceKey::by_fwmark(AF_INET, 9))
                          .destinations.count(DestinationKey{ip("10.0.1.1"), 0}),
                      1u);
    // an IPv4 real server cannot serve an IPv6 service unless tunnelled
    BOOST_CHECK(t.services.at(tcp("fd00::1:9", 80)).destinations.empty());
    BOOST_CHECK_EQUAL(d.notes.size(), 2u);
}

BOOST_AUTO_TEST_CASE(desired_weight_overrides) {
    auto c = parse("virtual_server 10.0.0.1 80 {\n real_server 10.0.1.1 80 { weight 3 }\n"
                   " real_server 10.0.1.2 80 { weight 4 }\n}\n"
                   "virtual_server 10.0.0.2 80 {\n real_server 10.0.1.1 80 { weight 3 }\n}\n");
    auto t = desired_table(c, {{RealServerRef{0, 1}, 0}, {RealServerRef{1, 0}, 7}}).table;
    const auto& s1 = t.services.at(tcp("10.0.0.1", 80));
    BOOST_CHECK_EQUAL(s1.destinations.at(DestinationKey{ip("10.0.1.1"), 80}).weight, 3);
    BOOST_CHECK_EQUAL(s1.destinations.at(DestinationKey{ip("10.0.1.2"), 80}).weight, 0);
    BOOST_CHECK_EQUAL(t.services.at(tcp("10.0.0.2", 80))
                          .destinations.at(DestinationKey{ip("10.0.1.1"), 80})
                          .weight,
                      7);
}

BOOST_AUTO_TEST_CASE(desired_duplicates_are_left_out_with_a_note) {
    auto c = parse("virtual_server_group g {\n 10.0.0.1 80\n}\n"
                   "virtual_server 10.0.0.1 80 {\n lvs_sched rr\n}\n"
                   "virtual_server group g {\n lvs_sched lc\n}\n");
    auto d = desired_table(c);
    BOOST_REQUIRE_EQUAL(d.table.services.size(), 1u);
    BOOST_CHECK_EQUAL(d.table.services.begin()->second.scheduler, "rr");
    BOOST_REQUIRE_EQUAL(d.notes.size(), 1u);
    BOOST_CHECK(d.notes[0].find("TCP 10.0.0.1:80 is already defined at t.conf:4") !=
                std::string::npos);
}

// ---------------------------------------------------------------- diff

BOOST_AUTO_TEST_CASE(diff_of_equal_tables_is_empty) {
    Table a;
    a.add(service(tcp("10.0.0.1", 80), "rr", {dest("10.0.1.1", 80), dest("10.0.1.2", 80, 2)}));
    Table b = a;
    // counters and the kernel's own hashed flag are not differences
    b.services.begin()->second.stats.conns = 42;
    b.services.begin()->second.flags |= service_flag::hashed;
    b.services.begin()->second.destinations.begin()->second.active_conns = 3;
    BOOST_CHECK(diff(a, b).empty());
    BOOST_CHECK(a == b);
    BOOST_CHECK(diff(Table{}, Table{}).empty());
}

BOOST_AUTO_TEST_CASE(diff_from_empty_adds_each_service_before_its_destinations) {
    Table want;
    want.add(service(tcp("10.0.0.2", 80), "rr", {dest("10.0.1.1", 80)}));
    want.add(service(tcp("10.0.0.1", 80), "wrr", {dest("10.0.1.2", 80, 2), dest("10.0.1.1", 80)}));
    Lines expect = {
        "add service TCP 10.0.0.1:80 wrr",
        "add destination TCP 10.0.0.1:80 -> 10.0.1.1:80 NAT weight 1",
        "add destination TCP 10.0.0.1:80 -> 10.0.1.2:80 NAT weight 2",
        "add service TCP 10.0.0.2:80 rr",
        "add destination TCP 10.0.0.2:80 -> 10.0.1.1:80 NAT weight 1",
    };
    auto got = strs(diff(want, Table{}));
    BOOST_CHECK_EQUAL_COLLECTIONS(got.begin(), got.end(), expect.begin(), expect.end());
}

BOOST_AUTO_TEST_CASE(diff_deleting_a_service_is_one_op) {
    Table have;
    have.add(service(tcp("10.0.0.1", 80), "rr", {dest("10.0.1.1", 80), dest("10.0.1.2", 80)}));
    auto ops = diff(Table{}, have);
    BOOST_REQUIRE_EQUAL(ops.size(), 1u);
    BOOST_CHECK(ops[0].kind == OpKind::delete_service);
    BOOST_CHECK_EQUAL(ops[0].str(), "delete service TCP 10.0.0.1:80");
}

BOOST_AUTO_TEST_CASE(diff_minimal_changes_in_order) {
    Table have, want;
    have.add(service(tcp("10.0.0.1", 80), "rr",
                     {dest("10.0.1.1", 80), dest("10.0.1.2", 80), dest("10.0.1.3", 80)}));
    have.add(service(tcp("10.0.0.9", 80), "rr", {dest("10.0.1.1", 80)}));
    have.add(service(tcp("10.0.0.5", 80), "rr", {dest("10.0.1.1", 80)}));

    auto s1 = service(tcp("10.0.0.1", 80), "wrr",
                      {dest("10.0.1.1", 80), dest("10.0.1.2", 80, 5), dest("10.0.1.4", 80)});
    s1.destinations.at(DestinationKey{ip("10.0.1.1"), 80}).u_threshold = 10;
    want.add(s1);
    want.add(service(tcp("10.0.0.5", 80), "rr", {dest("10.0.1.1", 80)})); // unchanged
    auto s3 =
        service(ServiceKey::by_fwmark(AF_INET, 3), "mh", {dest("10.0.1.1", 0, 1, Forward::dr)});
    s3.flags = service_flag::sched1 | service_flag::sched2;
    s3.persistence = Persistence{60, 24};
    want.add(s3);

    Lines expect = {
        "delete service TCP 10.0.0.9:80",
        "edit service TCP 10.0.0.1:80 wrr",
        "delete destination TCP 10.0.0.1:80 -> 10.0.1.3:80",
        "edit destination TCP 10.0.0.1:80 -> 10.0.1.1:80 NAT weight 1 thresholds 10/0",
        "edit destination TCP 10.0.0.1:80 -> 10.0.1.2:80 NAT weight 5",
        "add destination TCP 10.0.0.1:80 -> 10.0.1.4:80 NAT weight 1",
        "add service FWM 3 mh flag-1 flag-2 persistent 60 /24",
        "add destination FWM 3 -> 10.0.1.1:0 DR weight 1",
    };
    auto got = strs(diff(want, have));
    BOOST_CHECK_EQUAL_COLLECTIONS(got.begin(), got.end(), expect.begin(), expect.end());
    // applying the ops' intent gives a table whose diff is empty
    BOOST_CHECK(diff(want, want).empty());
}

BOOST_AUTO_TEST_CASE(diff_service_settings) {
    Table have, want;
    auto s = service(tcp("10.0.0.1", 80), "sh", {dest("10.0.1.1", 80)});
    have.add(s);
    s.persistence = Persistence{300, 32};
    want.add(s);
    BOOST_REQUIRE_EQUAL(diff(want, have).size(), 1u);
    BOOST_CHECK(diff(want, have)[0].kind == OpKind::edit_service);
    BOOST_CHECK(!diff(want, have)[0].destination);
    BOOST_CHECK(diff(want, have)[0].service.destinations.empty());
    s.persistence.reset();
    s.flags = service_flag::one_packet;
    want.add(s);
    BOOST_CHECK_EQUAL(diff(want, have).at(0).str(), "edit service TCP 10.0.0.1:80 sh ops");
    s.flags = 0;
    s.pe_name = "sip";
    want.add(s);
    BOOST_CHECK_EQUAL(diff(want, have).size(), 1u);
}

BOOST_AUTO_TEST_CASE(diff_destination_family_or_port_change_is_delete_and_add) {
    Table have, want;
    have.add(service(tcp("10.0.0.1", 80), "rr", {dest("10.0.1.1", 80)}));
    want.add(service(tcp("10.0.0.1", 80), "rr", {dest("10.0.1.1", 8080)}));
    Lines expect = {"delete destination TCP 10.0.0.1:80 -> 10.0.1.1:80",
                    "add destination TCP 10.0.0.1:80 -> 10.0.1.1:8080 NAT weight 1"};
    auto got = strs(diff(want, have));
    BOOST_CHECK_EQUAL_COLLECTIONS(got.begin(), got.end(), expect.begin(), expect.end());
}

BOOST_AUTO_TEST_CASE(diff_tunnel_destination) {
    Table have, want;
    auto d = dest("10.0.1.1", 80, 1, Forward::tun);
    have.add(service(tcp("10.0.0.1", 80), "rr", {d}));
    d.tunnel_type = TunnelType::gue;
    d.tunnel_port = 6080;
    d.tunnel_flags = tunnel_flag::csum;
    want.add(service(tcp("10.0.0.1", 80), "rr", {d}));
    auto got = strs(diff(want, have));
    Lines expect = {
        "edit destination TCP 10.0.0.1:80 -> 10.0.1.1:80 TUN gue port 6080 flags 1 weight 1"};
    BOOST_CHECK_EQUAL_COLLECTIONS(got.begin(), got.end(), expect.begin(), expect.end());
}

BOOST_AUTO_TEST_CASE(desired_then_diff_is_idempotent) {
    auto c = parse("virtual_server 10.0.0.1 80 {\n real_server 10.0.1.1 80\n}\n");
    auto t = desired_table(c).table;
    auto ops = diff(t, Table{});
    BOOST_CHECK_EQUAL(ops.size(), 2u);
    BOOST_CHECK(diff(t, t).empty());
}

// ---------------------------------------------------------------- json

BOOST_AUTO_TEST_CASE(json_round_trip) {
    Table t;
    auto s = service(ServiceKey::by_fwmark(AF_INET6, 5), "mh",
                     {dest("fd00::2", 0, 3, Forward::dr), dest("10.0.1.1", 0, 1, Forward::tun)});
    s.flags = service_flag::sched1 | service_flag::one_packet;
    s.persistence = Persistence{120, 64};
    auto& tun = s.destinations.at(DestinationKey{ip("10.0.1.1"), 0});
    tun.tunnel_type = TunnelType::gue;
    tun.tunnel_port = 6080;
    tun.tunnel_flags = tunnel_flag::csum | tunnel_flag::remcsum;
    tun.u_threshold = 100;
    t.add(s);
    auto s2 = service(ServiceKey::by_address(Protocol::sctp, ip("10.0.0.1"), 9), "rr");
    s2.pe_name = "sip";
    t.add(s2);
    auto j = to_json(t);
    // IPv4 services sort first
    BOOST_CHECK_EQUAL(j.at("services").at(0).at("protocol"), "SCTP");
    BOOST_CHECK_EQUAL(j.at("services").at(1).at("fwmark"), 5);
    BOOST_CHECK_EQUAL(j.at("services").at(1).at("family"), "inet6");
    auto back = table_from_json(j);
    BOOST_CHECK(back == t);
    BOOST_CHECK(diff(back, t).empty());
    BOOST_CHECK_THROW(
        table_from_json(nlohmann::json::parse(R"({"services":[{"address":"x","port":1}]})")),
        std::invalid_argument);
    BOOST_CHECK_THROW(
        table_from_json(nlohmann::json::parse(R"({"services":[{"fwmark":1,"flags":["nope"]}]})")),
        std::invalid_argument);
}

// ---------------------------------------------------------------- IPVS attributes
// The codec without a kernel: what put_* writes, parse_* must read back (the kernel side:
// tests/vm).

namespace {

using ipvs::Message;

Message genl_message() {
    Message m(nlmsg_alloc());
    BOOST_REQUIRE(genlmsg_put(m.get(), 0, 0, 42, 0, 0, IPVS_CMD_NEW_SERVICE, 1));
    return m;
}

nlattr* find_attr(nl_msg* m, int type) {
    return nlmsg_find_attr(nlmsg_hdr(m), GENL_HDRLEN, type);
}

Service round_trip(const Service& s) {
    auto m = genl_message();
    ipvs::put_service(m.get(), s, true);
    auto back = ipvs::parse_service(find_attr(m.get(), IPVS_CMD_ATTR_SERVICE));
    BOOST_REQUIRE(back);
    return *back;
}

} // namespace

BOOST_AUTO_TEST_CASE(service_by_address) {
    Service s;
    s.key = ServiceKey::by_address(Protocol::udp, ip("10.0.0.1"), 53);
    s.scheduler = "mh";
    s.flags = service_flag::sched1 | service_flag::sched2 | service_flag::one_packet;
    s.persistence = Persistence{300, 24};
    auto b = round_trip(s);
    BOOST_CHECK(b.key == s.key);
    BOOST_CHECK_EQUAL(b.key.port, 53);
    BOOST_CHECK(same_settings(b, s));
    BOOST_CHECK_EQUAL(b.persistence->prefix_len, 24);

    // on the wire: port and IPv4 netmask in network order, the persistent flag set
    auto m = genl_message();
    ipvs::put_service(m.get(), s, true);
    nlattr* tb[IPVS_SVC_ATTR_MAX + 1] = {};
    nla_policy policy[IPVS_SVC_ATTR_MAX + 1] = {};
    BOOST_REQUIRE_EQUAL(
        nla_parse_nested(tb, IPVS_SVC_ATTR_MAX, find_attr(m.get(), IPVS_CMD_ATTR_SERVICE), policy),
        0);
    BOOST_CHECK_EQUAL(nla_get_u16(tb[IPVS_SVC_ATTR_PORT]), htons(53));
    BOOST_CHECK_EQUAL(nla_get_u32(tb[IPVS_SVC_ATTR_NETMASK]), htonl(0xffffff00));
    BOOST_CHECK_EQUAL(nla_len(tb[IPVS_SVC_ATTR_ADDR]), 16);
    ip_vs_flags f;
    std::memcpy(&f, nla_data(tb[IPVS_SVC_ATTR_FLAGS]), sizeof f);
    BOOST_CHECK_EQUAL(f.flags, 0x1du); // persistent | one-packet | sched1 | sched2
    BOOST_CHECK_EQUAL(f.mask, 0xffffffffu);
}

BOOST_AUTO_TEST_CASE(service_without_persistence_and_ipv6_prefix) {
    Service s;
    s.key = ServiceKey::by_address(Protocol::tcp, ip("fd00::1"), 443);
    auto b = round_trip(s);
    BOOST_CHECK(!b.persistence);
    BOOST_CHECK(b.key == s.key);
    s.persistence = Persistence{60, 64};
    s.pe_name = "sip";
    b = round_trip(s);
    BOOST_REQUIRE(b.persistence);
    BOOST_CHECK_EQUAL(b.persistence->prefix_len, 64);
    BOOST_CHECK_EQUAL(b.pe_name, "sip");
}

BOOST_AUTO_TEST_CASE(fwmark_service_identity_only) {
    Service s;
    s.key = ServiceKey::by_fwmark(AF_INET6, 7);
    s.scheduler = "sh";
    auto m = genl_message();
    ipvs::put_service(m.get(), s, false);
    auto b = ipvs::parse_service(find_attr(m.get(), IPVS_CMD_ATTR_SERVICE));
    BOOST_REQUIRE(b);
    BOOST_CHECK(b->key == s.key);
    BOOST_CHECK_EQUAL(b->scheduler, "wlc"); // no SCHED_NAME sent: the struct's default
}

BOOST_AUTO_TEST_CASE(destinations) {
    Service s;
    s.key = ServiceKey::by_address(Protocol::tcp, ip("10.0.0.1"), 80);
    Destination d;
    d.key = DestinationKey{ip("fd00::10"), 8080}; // mixed family: tunnelled
    d.forward = Forward::tun;
    d.tunnel_type = TunnelType::gue;
    d.tunnel_port = 6080;
    d.tunnel_flags = tunnel_flag::csum | tunnel_flag::remcsum;
    d.weight = 65535;
    d.u_threshold = 100;
    d.l_threshold = 10;
    auto m = genl_message();
    ipvs::put_destination(m.get(), s, d, true);
    auto b = ipvs::parse_destination(find_attr(m.get(), IPVS_CMD_ATTR_DEST), AF_INET);
    BOOST_REQUIRE(b);
    BOOST_CHECK(b->key == d.key);
    BOOST_CHECK(same_settings(*b, d));

    Destination plain;
    plain.key = DestinationKey{ip("10.0.1.1"), 80};
    plain.forward = Forward::dr;
    plain.weight = 0;
    m = genl_message();
    ipvs::put_destination(m.get(), s, plain, true);
    nlattr* dest = find_attr(m.get(), IPVS_CMD_ATTR_DEST);
    b = ipvs::parse_destination(dest, AF_INET);
    BOOST_REQUIRE(b);
    BOOST_CHECK(b->key == plain.key);
    BOOST_CHECK(same_settings(*b, plain));
    // same family, not a tunnel: neither ADDR_FAMILY nor tunnel attributes (older kernels)
    nlattr* tb[IPVS_DEST_ATTR_MAX + 1] = {};
    nla_policy policy[IPVS_DEST_ATTR_MAX + 1] = {};
    BOOST_REQUIRE_EQUAL(nla_parse_nested(tb, IPVS_DEST_ATTR_MAX, dest, policy), 0);
    BOOST_CHECK(!tb[IPVS_DEST_ATTR_ADDR_FAMILY]);
    BOOST_CHECK(!tb[IPVS_DEST_ATTR_TUN_TYPE]);
}

BOOST_AUTO_TEST_CASE(malformed_replies_are_rejected) {
    BOOST_CHECK(!ipvs::parse_service(nullptr));
    BOOST_CHECK(!ipvs::parse_destination(nullptr, AF_INET));
    auto m = genl_message();
    nlattr* nest = nla_nest_start(m.get(), IPVS_CMD_ATTR_SERVICE);
    nla_put_u16(m.get(), IPVS_SVC_ATTR_AF, AF_INET); // neither fwmark nor address
    nla_nest_end(m.get(), nest);
    BOOST_CHECK(!ipvs::parse_service(find_attr(m.get(), IPVS_CMD_ATTR_SERVICE)));
}

// Scheduler flags, ops, the persistence engine, tunnel options and per-real-server methods reach
// the table as IPVS fields; lvs_timeouts and lvs_sync_daemon come with it.
BOOST_AUTO_TEST_CASE(desired_lvs_options) {
    auto c = parse(R"(
global_defs {
    lvs_timeouts tcp 900 udp 60
    lvs_sync_daemon eth1 VI_1
}
vrrp_instance VI_1 {
    interface lo
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        10.0.0.1
    }
}
virtual_server 10.0.0.1 5060 {
    protocol UDP
    lvs_sched sh
    sh-fallback
    sh-port
    flag-3
    ops
    persistence_engine sip
    persistence_timeout 60
    lvs_method TUN type gue port 6080 csum
    real_server 10.0.1.1 5060
    real_server 10.0.1.2 5060 { lvs_method DR }
    real_server 10.0.1.3 5060 { lvs_method TUN type gre }
    real_server fd00::4 5060 { lvs_method TUN type gue port 6081 remcsum }
}
virtual_server 10.0.0.2 80 {
    lvs_sched rr
    lvs_method DR
    real_server 10.0.1.1 80 { lvs_method TUN type gre csum }
}
)");
    auto d = desired_table(c);
    BOOST_CHECK(d.notes.empty());
    const auto& s =
        d.table.services.at(ServiceKey::by_address(Protocol::udp, ip("10.0.0.1"), 5060));
    BOOST_CHECK_EQUAL(s.flags, service_flag::sched1 | service_flag::sched2 | service_flag::sched3 |
                                   service_flag::one_packet);
    BOOST_CHECK_EQUAL(s.pe_name, "sip");
    BOOST_REQUIRE_EQUAL(s.destinations.size(), 4u);
    const auto& inherit = s.destinations.at(DestinationKey{ip("10.0.1.1"), 5060});
    BOOST_CHECK(inherit.forward == Forward::tun);
    BOOST_CHECK(inherit.tunnel_type == TunnelType::gue);
    BOOST_CHECK_EQUAL(inherit.tunnel_port, 6080);
    BOOST_CHECK_EQUAL(inherit.tunnel_flags, tunnel_flag::csum);
    BOOST_CHECK(s.destinations.at(DestinationKey{ip("10.0.1.2"), 5060}).forward == Forward::dr);
    const auto& gre = s.destinations.at(DestinationKey{ip("10.0.1.3"), 5060});
    BOOST_CHECK(gre.tunnel_type == TunnelType::gre);
    BOOST_CHECK_EQUAL(gre.tunnel_port, 0);
    BOOST_CHECK_EQUAL(gre.tunnel_flags, 0);
    const auto& v6 = s.destinations.at(DestinationKey{ip("fd00::4"), 5060});
    BOOST_CHECK(v6.tunnel_type == TunnelType::gue);
    BOOST_CHECK_EQUAL(v6.tunnel_port, 6081);
    BOOST_CHECK_EQUAL(v6.tunnel_flags, tunnel_flag::remcsum);

    const auto& s2 = d.table.services.at(tcp("10.0.0.2", 80));
    BOOST_CHECK_EQUAL(s2.flags, 0u);
    BOOST_CHECK(s2.pe_name.empty());
    const auto& r = s2.destinations.at(DestinationKey{ip("10.0.1.1"), 80});
    BOOST_CHECK(r.forward == Forward::tun);
    BOOST_CHECK(r.tunnel_type == TunnelType::gre);
    BOOST_CHECK_EQUAL(r.tunnel_flags, tunnel_flag::csum);

    BOOST_REQUIRE(d.timeouts);
    BOOST_CHECK(*d.timeouts == (ConnTimeouts{900, 0, 60}));
    BOOST_REQUIRE(d.sync_daemon);
    BOOST_CHECK_EQUAL(d.sync_daemon->interface, "eth1");
    BOOST_CHECK_EQUAL(d.sync_daemon->vrrp_instance, "VI_1");
    BOOST_CHECK_EQUAL(d.sync_daemon->sync_id, 51); // the instance's VRID
    BOOST_CHECK(!d.sync_daemon->port);

    // the same settings read back from the kernel are no difference; a changed flag is an edit
    Table kernel = d.table;
    BOOST_CHECK(diff(d.table, kernel).empty());
    kernel.services.at(s.key).flags &= ~service_flag::sched3;
    BOOST_CHECK_EQUAL(diff(d.table, kernel).size(), 1u);
}

BOOST_AUTO_TEST_CASE(desired_without_lvs_globals) {
    auto d = desired_table(parse("virtual_server 10.0.0.1 80 {\n real_server 10.0.1.1 80\n}\n"));
    BOOST_CHECK(!d.timeouts);
    BOOST_CHECK(!d.sync_daemon);
    BOOST_CHECK_EQUAL(d.table.services.begin()->second.flags, 0u);
}

// lvs_sync_daemon follows its vrrp_instance (keepalived's documented behaviour).
BOOST_AUTO_TEST_CASE(which_sync_daemons_run) {
    using ipvs::SyncState;
    auto states = [](const std::vector<ipvs::SyncDaemon>& v) {
        std::vector<SyncState> s;
        for (const auto& d : v)
            s.push_back(d.state);
        return s;
    };
    SyncDaemonSpec spec;
    spec.interface = "eth1";
    spec.vrrp_instance = "VI_1";
    spec.sync_id = 51;
    spec.port = 8850;
    BOOST_CHECK(ipvs::wanted_sync_daemons(std::nullopt, true).empty());
    auto m = ipvs::wanted_sync_daemons(spec, true);
    BOOST_CHECK(states(m) == std::vector<SyncState>{SyncState::master});
    BOOST_CHECK_EQUAL(m[0].interface, "eth1");
    BOOST_CHECK_EQUAL(m[0].sync_id, 51u);
    BOOST_CHECK(m[0].port == uint16_t{8850});
    BOOST_CHECK(states(ipvs::wanted_sync_daemons(spec, false)) ==
                std::vector<SyncState>{SyncState::backup});
    auto both = spec;
    both.vrrp_instance.clear();
    for (bool master : {true, false})
        BOOST_CHECK(states(ipvs::wanted_sync_daemons(both, master)) ==
                    (std::vector<SyncState>{SyncState::master, SyncState::backup}));
}

BOOST_AUTO_TEST_CASE(sync_daemon_steps) {
    using ipvs::SyncState;
    SyncDaemonSpec spec;
    spec.interface = "eth1";
    spec.vrrp_instance = "VI_1";
    spec.sync_id = 7;
    auto master = ipvs::wanted_sync_daemons(spec, true);
    auto backup = ipvs::wanted_sync_daemons(spec, false);

    // From nothing: start; the same again: nothing, also when the kernel reports its defaults.
    auto p = ipvs::plan_sync_daemons(master, {});
    BOOST_CHECK(p.stop.empty());
    BOOST_REQUIRE_EQUAL(p.start.size(), 1u);
    BOOST_CHECK(p.start[0].state == SyncState::master);
    auto running = master;
    running[0].port = 8848;
    running[0].ttl = 1;
    running[0].max_len = 1472;
    BOOST_CHECK(ipvs::plan_sync_daemons(master, running).empty());

    // A transition: stop the master, start the backup.
    p = ipvs::plan_sync_daemons(backup, running);
    BOOST_CHECK(p.stop == std::vector<SyncState>{SyncState::master});
    BOOST_REQUIRE_EQUAL(p.start.size(), 1u);
    BOOST_CHECK(p.start[0].state == SyncState::backup);

    // Other settings: restarted. None wanted: stopped.
    auto other = master;
    other[0].sync_id = 8;
    p = ipvs::plan_sync_daemons(other, running);
    BOOST_CHECK(p.stop == std::vector<SyncState>{SyncState::master});
    BOOST_CHECK_EQUAL(p.start.size(), 1u);
    auto port = master;
    port[0].port = 9000;
    BOOST_CHECK_EQUAL(ipvs::plan_sync_daemons(port, running).start.size(), 1u);
    p = ipvs::plan_sync_daemons({}, running);
    BOOST_CHECK(p.stop == std::vector<SyncState>{SyncState::master});
    BOOST_CHECK(p.start.empty());
    BOOST_CHECK_EQUAL(ipvs::str(SyncState::backup), "backup");
}
