#define BOOST_TEST_MODULE director_config
#include <boost/test/unit_test.hpp>

#include "conf/reader.h"
#include "conf/statement.h"
#include "director/config/checks.h"
#include "director/config/json.h"
#include "director/config/parse_context.h"
#include "director/config/parser.h"

#include <algorithm>

using namespace lvsd;
using namespace lvsd::director::config;

namespace {

struct Parsed {
    Config config;
    conf::Diagnostics diags;

    // Every diagnostic of a severity, as printed, for exact comparisons.
    std::vector<std::string> all(conf::Severity s) const {
        std::vector<std::string> out;
        for (const auto& d : diags.all())
            if (d.severity == s)
                out.push_back(d.str());
        return out;
    }
    std::vector<std::string> errors() const { return all(conf::Severity::error); }
    std::vector<std::string> warnings() const { return all(conf::Severity::warning); }
    std::vector<std::string> notes() const { return all(conf::Severity::note); }
    bool has(const std::string& text) const {
        return std::any_of(diags.all().begin(), diags.all().end(),
                           [&](const auto& d) { return d.str() == text; });
    }
};

Parsed parse(const std::string& text) {
    Parsed p;
    conf::Reader r(p.diags);
    p.config = parse_config(conf::build_statements(r.read_string(text, "t.conf")), p.diags);
    return p;
}

// A minimal valid instance around `body`.
std::string instance(const std::string& body) {
    return "vrrp_instance VI_1 {\n interface lo\n virtual_router_id 51\n" + body + "}\n";
}

const std::string fixtures = LVSD_FIXTURES;

} // namespace

BOOST_AUTO_TEST_CASE(classic_master_fixture) {
    conf::Diagnostics d;
    Config c = load_config(fixtures + "/keepalived/classic-master.conf", "", d);
    BOOST_CHECK(!d.has_errors());
    BOOST_CHECK_EQUAL(d.count(conf::Severity::warning), 0u);
    BOOST_REQUIRE_EQUAL(d.count(conf::Severity::note), 1u);
    BOOST_CHECK_EQUAL(d.all()[0].message, "'nat_mask' is obsolete and ignored");
    BOOST_CHECK_EQUAL(d.all()[0].where.line, 34);

    BOOST_CHECK_EQUAL(c.global_defs.router_id, "LVS_MASTER");
    BOOST_REQUIRE_EQUAL(c.global_defs.notification_email.size(), 1u);
    BOOST_CHECK_EQUAL(c.global_defs.notification_email[0], "admin@example.com");
    BOOST_REQUIRE_EQUAL(c.vrrp_instances.size(), 1u);
    const auto& vi = c.vrrp_instances[0];
    BOOST_CHECK(vi.state == VrrpState::master);
    BOOST_CHECK_EQUAL(vi.interface, "eth0");
    BOOST_CHECK_EQUAL(vi.virtual_router_id, 51);
    BOOST_CHECK_EQUAL(vi.priority, 100);
    BOOST_CHECK_EQUAL(vi.advert_int, 1.0);
    BOOST_CHECK_EQUAL(vi.version, 2);
    BOOST_REQUIRE(vi.authentication);
    BOOST_CHECK(vi.authentication->type == AuthType::pass);
    BOOST_CHECK_EQUAL(vi.authentication->pass, "1111");
    BOOST_REQUIRE_EQUAL(vi.virtual_ipaddress.size(), 1u);
    BOOST_CHECK_EQUAL(vi.virtual_ipaddress[0].address.str_prefixed(), "192.168.0.100/32");

    BOOST_REQUIRE_EQUAL(c.virtual_servers.size(), 1u);
    const auto& vs = c.virtual_servers[0];
    BOOST_CHECK_EQUAL(vs.address.str(), "192.168.0.100");
    BOOST_CHECK_EQUAL(vs.port, 80);
    BOOST_CHECK_EQUAL(vs.delay_loop, 6.0);
    BOOST_CHECK_EQUAL(vs.lvs_sched, "rr");
    BOOST_CHECK(vs.lvs_method == LvsMethod::dr);
    BOOST_CHECK(!vs.persistence_timeout);
    BOOST_CHECK(vs.protocol == Protocol::tcp);
    BOOST_REQUIRE_EQUAL(vs.real_servers.size(), 2u);
    for (const auto& rs : vs.real_servers) {
        BOOST_CHECK_EQUAL(rs.weight, 3);
        BOOST_CHECK_EQUAL(rs.port, 80);
        BOOST_REQUIRE_EQUAL(rs.checkers.size(), 1u);
        const auto& ck = rs.checkers[0];
        BOOST_CHECK(ck.kind == CheckerKind::tcp);
        BOOST_CHECK_EQUAL(ck.common.connect_timeout.value_or(0), 10.0);
        BOOST_CHECK_EQUAL(ck.common.retry.value_or(0), 3);
        BOOST_CHECK_EQUAL(ck.common.delay_before_retry.value_or(0), 3.0);
        BOOST_CHECK_EQUAL(ck.common.connect_port.value_or(0), 80);
    }
    BOOST_CHECK_EQUAL(vs.real_servers[1].address.str(), "192.168.0.12");
}

BOOST_AUTO_TEST_CASE(classic_backup_fixture_differs_only_in_role) {
    conf::Diagnostics d;
    Config c = load_config(fixtures + "/keepalived/classic-backup.conf", "", d);
    BOOST_CHECK(!d.has_errors());
    BOOST_CHECK_EQUAL(d.count(conf::Severity::warning), 0u);
    BOOST_CHECK(c.vrrp_instances.at(0).state == VrrpState::backup);
    BOOST_CHECK_EQUAL(c.vrrp_instances.at(0).priority, 50);
    BOOST_CHECK_EQUAL(c.vrrp_instances.at(0).virtual_router_id, 51);
}

BOOST_AUTO_TEST_CASE(modern_and_deprecated_spellings_dump_the_same) {
    auto body = [](const std::string& sched, const std::string& method, const std::string& retry) {
        return "virtual_server 10.0.0.1 80 {\n " + sched + " wrr\n " + method +
               " NAT\n real_server 10.0.1.1 80 {\n  HTTP_GET {\n   url {\n    path /\n   }\n   " +
               retry + " 4\n  }\n }\n}\n";
    };
    auto old = parse(body("lb_algo", "lb_kind", "nb_get_retry"));
    auto modern = parse(body("lvs_sched", "lvs_method", "retry"));
    BOOST_CHECK(old.diags.all().empty());
    BOOST_CHECK_EQUAL(to_json(old.config).dump(), to_json(modern.config).dump());
    BOOST_CHECK_EQUAL(
        old.config.virtual_servers[0].real_servers[0].checkers[0].common.retry.value(), 4);
}

BOOST_AUTO_TEST_CASE(persistence_timeout_forms) {
    auto p = parse("virtual_server 10.0.0.1 80 {\n persistence_timeout\n}\n"
                   "virtual_server 10.0.0.2 80 {\n persistence_timeout 0\n}\n"
                   "virtual_server 10.0.0.3 80 {\n persistence_timeout 50\n}\n");
    BOOST_CHECK(p.errors().empty());
    BOOST_CHECK_EQUAL(p.config.virtual_servers[0].persistence_timeout.value(), 360u);
    BOOST_CHECK(!p.config.virtual_servers[1].persistence_timeout);
    BOOST_CHECK_EQUAL(p.config.virtual_servers[2].persistence_timeout.value(), 50u);
}

BOOST_AUTO_TEST_CASE(unknown_keyword_suggests_the_nearest) {
    auto p = parse("global_defs {\n  smtp_connection_timeout 30\n  zzzzzz 1\n}\n");
    BOOST_CHECK(p.errors().empty());
    BOOST_CHECK(p.has("t.conf:2:3: warning: unknown keyword 'smtp_connection_timeout'; did you "
                      "mean 'smtp_connect_timeout'?"));
    BOOST_CHECK(p.has("t.conf:3:3: warning: unknown keyword 'zzzzzz'"));
    auto q = parse(instance(" priorty 10\n"));
    BOOST_CHECK(q.has("t.conf:4:2: warning: unknown keyword 'priorty'; did you mean 'priority'?"));
}

BOOST_AUTO_TEST_CASE(known_but_unmodelled_keywords_warn_with_their_place) {
    auto p = parse("global_defs {\n  lvs_flush\n}\n" + instance("  use_vmac\n") +
                   "static_routes {\n 10.0.0.0/8 dev lo\n}\n");
    BOOST_CHECK(p.errors().empty());
    BOOST_CHECK(p.has("t.conf:2:3: warning: 'lvs_flush' is recognized but not supported yet"));
    BOOST_CHECK(p.has("t.conf:7:3: warning: 'use_vmac' is recognized but not supported yet"));
    BOOST_CHECK(p.has("t.conf:9:1: warning: 'static_routes' is recognized but not supported yet"));
}

BOOST_AUTO_TEST_CASE(checkers_not_implemented_yet_warn_with_their_place) {
    auto p = parse("virtual_server 10.1.1.1 80 {\n delay_loop 3\n"
                   " real_server 10.1.1.2 80 {\n  PING_CHECK {\n  }\n  TCP_CHECK {\n  }\n }\n"
                   " real_server 10.1.1.3 80 {\n  UDP_CHECK {\n  }\n }\n}\n");
    BOOST_CHECK(p.errors().empty());
    BOOST_CHECK(p.has("t.conf:4:3: warning: PING_CHECK is not implemented yet: it does not check "
                      "real server 10.1.1.2 port 80, which counts as up unless another checker "
                      "says otherwise"));
    BOOST_CHECK(p.has("t.conf:10:3: warning: UDP_CHECK is not implemented yet: it does not check "
                      "real server 10.1.1.3 port 80, which counts as up unless another checker "
                      "says otherwise"));
    BOOST_CHECK_EQUAL(p.warnings().size(), 2u);
}

BOOST_AUTO_TEST_CASE(vrid_and_priority_ranges) {
    auto p = parse("vrrp_instance A {\n virtual_router_id 256\n priority 0\n}\n"
                   "vrrp_instance B {\n virtual_router_id x\n priority 256\n}\n");
    BOOST_CHECK(p.has("t.conf:2:20: error: '256' is out of range [1, 255]"));
    BOOST_CHECK(p.has("t.conf:3:11: error: '0' is out of range [1, 255]"));
    BOOST_CHECK(p.has("t.conf:6:20: error: 'x' is not an integer"));
    BOOST_CHECK(p.has("t.conf:7:11: error: '256' is out of range [1, 255]"));
    BOOST_CHECK(p.has("t.conf:1:1: error: vrrp_instance 'A' needs a virtual_router_id (1-255)"));
    auto ok = parse(instance(" priority 255\n"));
    BOOST_CHECK(ok.errors().empty());
    BOOST_CHECK_EQUAL(ok.config.vrrp_instances[0].priority, 255);
}

BOOST_AUTO_TEST_CASE(state_is_case_insensitive) {
    auto p = parse(instance(" state master\n"));
    BOOST_CHECK(p.errors().empty());
    BOOST_CHECK(p.config.vrrp_instances[0].state == VrrpState::master);
    BOOST_CHECK_EQUAL(p.warnings().size(), 1u); // keepalived 2.2 disagrees; say so
    auto bad = parse(instance(" state PRIMARY\n"));
    BOOST_CHECK(bad.has("t.conf:4:8: error: unknown state 'PRIMARY' (MASTER or BACKUP)"));
}

BOOST_AUTO_TEST_CASE(auth_pass_is_truncated_to_eight) {
    auto p = parse(instance(" authentication {\n  auth_type PASS\n  auth_pass 123456789012\n }\n"));
    BOOST_CHECK(p.errors().empty());
    BOOST_CHECK(p.has("t.conf:6:13: warning: auth_pass is longer than 8 characters; truncated to "
                      "'12345678'"));
    BOOST_CHECK_EQUAL(p.config.vrrp_instances[0].authentication->pass, "12345678");
    auto ah = parse(instance(" state MASTER\n authentication {\n  auth_type AH\n }\n"));
    BOOST_CHECK_EQUAL(ah.errors().size(), 1u);
}

BOOST_AUTO_TEST_CASE(virtual_addresses) {
    auto p = parse(instance(" virtual_ipaddress {\n  10.0.0.1/24 brd 10.0.0.255 dev lo scope link "
                            "label lo:1\n  10.0.0.2\n  10.0.0.300\n  fe80::1\n }\n"
                            " virtual_ipaddress_excluded {\n  fe80::2/64\n }\n"));
    const auto& vi = p.config.vrrp_instances[0];
    BOOST_REQUIRE_EQUAL(vi.virtual_ipaddress.size(), 3u);
    const auto& a = vi.virtual_ipaddress[0];
    BOOST_CHECK_EQUAL(a.address.prefix_len, 24);
    BOOST_CHECK_EQUAL(a.broadcast->str(), "10.0.0.255");
    BOOST_CHECK_EQUAL(a.dev, "lo");
    BOOST_CHECK_EQUAL(a.scope, "link");
    BOOST_CHECK_EQUAL(a.label, "lo:1");
    BOOST_CHECK_EQUAL(vi.virtual_ipaddress_excluded.at(0).address.prefix_len, 64);
    BOOST_CHECK(p.has("t.conf:7:3: error: '10.0.0.300' is not an IP address"));
    BOOST_CHECK(p.has("t.conf:8:3: error: IPv6 address fe80::1 in an instance whose first address "
                      "is IPv4 (move it to virtual_ipaddress_excluded)"));
    BOOST_CHECK_EQUAL(p.errors().size(), 2u);
}

BOOST_AUTO_TEST_CASE(tracking_and_references) {
    auto p = parse("vrrp_script chk {\n script \"/bin/true x\"\n interval 2\n weight -20\n"
                   " rise 2\n fall 3\n user nobody\n}\n" +
                   instance(" track_interface {\n  lo weight 10\n  eth9\n }\n"
                            " track_script {\n  chk weight 5 reverse\n  missing\n }\n"));
    BOOST_CHECK(p.has("t.conf:18:3: error: track_script 'missing' names no vrrp_script"));
    BOOST_CHECK_EQUAL(p.errors().size(), 1u);
    const auto& s = p.config.vrrp_scripts.at(0);
    BOOST_CHECK_EQUAL(s.script.command, "/bin/true x");
    BOOST_CHECK_EQUAL(s.interval, 2.0);
    BOOST_CHECK_EQUAL(s.weight, -20);
    BOOST_CHECK_EQUAL(s.rise, 2);
    BOOST_CHECK_EQUAL(s.fall, 3);
    BOOST_CHECK_EQUAL(s.script.user, "nobody");
    const auto& vi = p.config.vrrp_instances[0];
    BOOST_CHECK_EQUAL(vi.track_interface.at(0).weight, 10);
    BOOST_CHECK(!vi.track_interface.at(1).weight_set);
    BOOST_CHECK(vi.track_script.at(0).reverse);
}

BOOST_AUTO_TEST_CASE(instance_details) {
    auto p = parse(instance(" version 3\n advert_int 0.25\n unicast_src_ip 10.0.0.1\n"
                            " unicast_peer {\n  10.0.0.2\n  10.0.0.3\n }\n mcast_src_ip 10.0.0.1\n"
                            " notify_master \"/x master\" root\n notify /y\n smtp_alert\n"
                            " nopreempt\n preempt_delay 30\n garp_master_delay 2\n"
                            " garp_master_repeat 3\n garp_master_refresh 60\n"
                            " garp_master_refresh_repeat 2\n"
                            " virtual_routes {\n  src 10.0.0.1 10.1.0.0/16 via 10.0.0.254 dev lo\n"
                            "  blackhole 10.2.0.0/16\n }\n"));
    BOOST_CHECK(p.errors().empty());
    const auto& vi = p.config.vrrp_instances[0];
    BOOST_CHECK_EQUAL(vi.version, 3);
    BOOST_CHECK_EQUAL(vi.advert_int, 0.25);
    BOOST_CHECK_EQUAL(vi.unicast_peer.size(), 2u);
    BOOST_CHECK_EQUAL(vi.notify.master->command, "/x master");
    BOOST_CHECK_EQUAL(vi.notify.master->user, "root");
    BOOST_CHECK_EQUAL(vi.notify.any->command, "/y");
    BOOST_CHECK(vi.smtp_alert.value());
    BOOST_CHECK(!vi.preempt);
    BOOST_CHECK_EQUAL(vi.preempt_delay, 30.0);
    BOOST_CHECK_EQUAL(vi.garp_master_refresh_repeat, 2);
    BOOST_REQUIRE_EQUAL(vi.virtual_routes.size(), 2u);
    BOOST_CHECK_EQUAL(vi.virtual_routes[0].source->str(), "10.0.0.1");
    BOOST_CHECK_EQUAL(vi.virtual_routes[0].destination.str_prefixed(), "10.1.0.0/16");
    BOOST_CHECK_EQUAL(vi.virtual_routes[0].via->str(), "10.0.0.254");
    BOOST_CHECK_EQUAL(vi.virtual_routes[1].type, "blackhole");
    auto v2 = parse(instance(" advert_int 1.5\n"));
    BOOST_CHECK_EQUAL(v2.warnings().size(), 1u);
    BOOST_CHECK_EQUAL(v2.config.vrrp_instances[0].advert_int, 2.0);
}

BOOST_AUTO_TEST_CASE(sync_groups) {
    auto p = parse(instance("") +
                   "vrrp_sync_group G {\n group {\n  VI_1\n  VI_9\n }\n notify_master /m\n}\n");
    BOOST_CHECK(p.has("t.conf:8:3: error: vrrp_sync_group 'G' names no vrrp_instance 'VI_9'"));
    BOOST_CHECK_EQUAL(p.config.vrrp_sync_groups.at(0).group.size(), 2u);
    BOOST_CHECK_EQUAL(p.config.vrrp_sync_groups.at(0).notify.master->command, "/m");
}

BOOST_AUTO_TEST_CASE(duplicate_vrid_on_one_interface) {
    auto p =
        parse(instance("") + "vrrp_instance VI_2 {\n interface lo\n virtual_router_id 51\n}\n");
    BOOST_CHECK(p.has("t.conf:5:1: error: virtual_router_id 51 on 'lo' is already used by "
                      "vrrp_instance 'VI_1'"));
}

BOOST_AUTO_TEST_CASE(virtual_server_checks) {
    auto p = parse("virtual_server 10.0.0.1 80 {\n lvs_sched nope\n lvs_method XX\n"
                   " real_server 10.0.1.1 80 {\n  weight 70000\n }\n"
                   " real_server 10.0.1.1 80 {\n }\n real_server fe80::1 80 {\n }\n}\n"
                   "virtual_server group NOPE {\n}\n");
    BOOST_CHECK(p.has("t.conf:2:12: error: unknown scheduler 'nope' (rr, wrr, lc, wlc, lblc, "
                      "lblcr, dh, sh, sed, nq, fo, ovf, mh, twos)"));
    BOOST_CHECK(p.has("t.conf:3:13: error: unknown lvs_method 'XX' (NAT, DR or TUN)"));
    BOOST_CHECK(p.has("t.conf:5:10: error: '70000' is out of range [0, 65535]"));
    BOOST_CHECK(p.has("t.conf:7:2: error: real server 10.0.1.1 port 80 is listed twice in this "
                      "virtual_server"));
    BOOST_CHECK(p.has("t.conf:9:2: error: real server fe80::1 is IPv6 but the virtual server is "
                      "IPv4; only TUN can mix families"));
    BOOST_CHECK(p.has("t.conf:12:1: error: virtual_server group 'NOPE' names no "
                      "virtual_server_group"));
    BOOST_CHECK_EQUAL(p.errors().size(), 6u);
}

BOOST_AUTO_TEST_CASE(virtual_server_groups_and_options) {
    auto p = parse("virtual_server_group G {\n 10.0.0.1 80\n 10.0.0.3-10 80\n fwmark 7\n}\n"
                   "virtual_server group G {\n sorry_server 10.0.2.1 8080\n quorum 3\n"
                   " hysteresis 1\n quorum_up /up\n quorum_down \"/down now\"\n alpha\n omega\n"
                   " inhibit_on_failure\n virtualhost www.example.com\n"
                   " persistence_granularity 255.255.255.0\n protocol UDP\n"
                   " real_server 10.0.1.1 53 {\n  inhibit_on_failure\n  notify_up /u\n"
                   "  notify_down /d\n  uthreshold 100\n  lthreshold 10\n }\n}\n"
                   "virtual_server fwmark 5 {\n real_server 10.0.1.1 {\n }\n}\n");
    BOOST_CHECK(p.diags.all().empty());
    const auto& g = p.config.virtual_server_groups.at(0);
    BOOST_REQUIRE_EQUAL(g.entries.size(), 3u);
    BOOST_CHECK_EQUAL(g.entries[1].range_last, 10);
    BOOST_CHECK(g.entries[2].is_fwmark);
    const auto& vs = p.config.virtual_servers.at(0);
    BOOST_CHECK(vs.kind == VirtualServerKind::group);
    BOOST_CHECK_EQUAL(vs.sorry_server->port, 8080);
    BOOST_CHECK_EQUAL(vs.quorum, 3);
    BOOST_CHECK_EQUAL(vs.quorum_down->command, "/down now");
    BOOST_CHECK(vs.alpha && vs.omega && vs.inhibit_on_failure);
    BOOST_CHECK(vs.protocol == Protocol::udp);
    const auto& rs = vs.real_servers.at(0);
    BOOST_CHECK_EQUAL(rs.uthreshold, 100);
    BOOST_CHECK_EQUAL(rs.notify_down->command, "/d");
    BOOST_CHECK_EQUAL(p.config.virtual_servers.at(1).fwmark, 5u);
}

BOOST_AUTO_TEST_CASE(every_checker) {
    auto p = parse(
        "virtual_server 10.0.0.1 443 {\n real_server 10.0.1.1 443 {\n"
        "  SSL_GET {\n   url {\n    path /health\n    digest 9B3A0C85A887A256D6939DA88AABD8CD\n"
        "    status_code 200 301-302\n   }\n   connect_ip 10.0.1.9\n   connect_port 8443\n"
        "   bindto 10.0.0.5\n   connect_timeout 2.5\n   retry 2\n   delay_before_retry 1\n"
        "   virtualhost h.example\n  }\n"
        "  HTTP_GET {\n   url {\n    path /\n   }\n  }\n"
        "  MISC_CHECK {\n   misc_path \"/bin/check 1\"\n   misc_timeout 5\n   misc_dynamic\n"
        "   user nobody\n  }\n"
        "  SMTP_CHECK {\n   helo_name me\n  }\n"
        "  DNS_CHECK {\n   type a\n   name example.com\n  }\n"
        "  UDP_CHECK {\n   payload 0a0b\n   require_reply\n  }\n"
        "  PING_CHECK {\n  }\n"
        "  FILE_CHECK {\n   track_file f\n   weight 10 reverse\n  }\n"
        "  AGENT_CHECK {\n   connect_port 9999\n  }\n"
        "  TCP_CHECK {\n   misc_path /x\n  }\n"
        " }\n}\n");
    BOOST_CHECK(p.errors().empty());
    // misc_path belongs to MISC_CHECK only: a warning, with keepalived's place for it. And one
    // for each of the five checkers parsed but not run yet.
    BOOST_CHECK_EQUAL(p.warnings().size(), 6u);
    const auto& cks = p.config.virtual_servers.at(0).real_servers.at(0).checkers;
    BOOST_REQUIRE_EQUAL(cks.size(), 10u);
    const auto& ssl = std::get<HttpCheck>(cks[0].detail);
    BOOST_CHECK(ssl.ssl);
    BOOST_CHECK_EQUAL(ssl.urls.at(0).digest, "9b3a0c85a887a256d6939da88aabd8cd");
    BOOST_CHECK_EQUAL(ssl.urls.at(0).status_codes.size(), 2u);
    BOOST_CHECK_EQUAL(ssl.urls.at(0).status_codes[1].second, 302);
    BOOST_CHECK_EQUAL(ssl.virtualhost, "h.example");
    BOOST_CHECK_EQUAL(cks[0].common.connect_timeout.value(), 2.5);
    BOOST_CHECK_EQUAL(cks[0].common.connect_ip->str(), "10.0.1.9");
    BOOST_CHECK(cks[1].kind == CheckerKind::http);
    const auto& misc = std::get<MiscCheck>(cks[2].detail);
    BOOST_CHECK_EQUAL(misc.misc_path.command, "/bin/check 1");
    BOOST_CHECK_EQUAL(misc.misc_path.user, "nobody");
    BOOST_CHECK(misc.misc_dynamic);
    BOOST_CHECK_EQUAL(std::get<SmtpCheck>(cks[3].detail).helo_name, "me");
    BOOST_CHECK_EQUAL(std::get<DnsCheck>(cks[4].detail).type, "A");
    BOOST_CHECK(std::get<UdpCheck>(cks[5].detail).require_reply);
    BOOST_CHECK(cks[6].kind == CheckerKind::ping);
    BOOST_CHECK_EQUAL(std::get<FileCheck>(cks[7].detail).weight.value(), 10);
    BOOST_CHECK_EQUAL(std::get<AgentCheck>(cks[8].detail).connect_port, 9999);
}

BOOST_AUTO_TEST_CASE(checker_errors) {
    auto p = parse("virtual_server 10.0.0.1 80 {\n real_server 10.0.1.1 80 {\n"
                   "  HTTP_GET {\n   url {\n    digest xyz\n    status_code 99\n   }\n  }\n"
                   "  MISC_CHECK {\n  }\n  AGENT_CHECK {\n  }\n }\n}\n");
    BOOST_CHECK(p.has("t.conf:5:12: error: digest must be 32 hex digits (an MD5 sum)"));
    BOOST_CHECK(p.has("t.conf:6:17: error: '99' is out of range [100, 599]"));
    BOOST_CHECK(p.has("t.conf:4:4: error: url needs a path"));
    BOOST_CHECK(p.has("t.conf:9:3: error: MISC_CHECK needs a misc_path"));
    BOOST_CHECK(p.has("t.conf:11:3: error: AGENT_CHECK needs a connect_port"));
}

BOOST_AUTO_TEST_CASE(json_dump_of_classic_fixture) {
    conf::Diagnostics d;
    auto j = to_json(load_config(fixtures + "/keepalived/classic-backup.conf", "", d));
    BOOST_CHECK_EQUAL(j["vrrp_instances"][0]["state"], "BACKUP");
    BOOST_CHECK_EQUAL(j["vrrp_instances"][0]["authentication"]["auth_pass"], "1111");
    BOOST_CHECK_EQUAL(j["virtual_servers"][0]["lvs_method"], "DR");
    BOOST_CHECK(j["virtual_servers"][0]["persistence_timeout"].is_null());
    BOOST_CHECK_EQUAL(j["virtual_servers"][0]["real_servers"][1]["checkers"][0]["retry"], 3);
}

BOOST_AUTO_TEST_CASE(edit_distance_basics) {
    BOOST_CHECK_EQUAL(edit_distance("", "abc"), 3u);
    BOOST_CHECK_EQUAL(edit_distance("kitten", "sitting"), 3u);
    BOOST_CHECK_EQUAL(edit_distance("smtp_connection_timeout", "smtp_connect_timeout"), 3u);
    BOOST_CHECK(keepalived_knows("virtual_server/real_server/HTTP_GET/url", "regex"));
    BOOST_CHECK(!keepalived_knows("virtual_server", "regex"));
}

BOOST_AUTO_TEST_CASE(dump_survives_bytes_that_are_not_utf8) {
    auto p = parse("global_defs {\n router_id \xff\xfe\n}\n");
    BOOST_CHECK_NO_THROW(to_json_text(p.config));
    BOOST_CHECK(to_json_text(p.config).find("\xef\xbf\xbd") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(instance_needs_an_interface_and_services_need_servers) {
    auto p = parse("vrrp_instance X {\n virtual_router_id 5\n}\n"
                   "virtual_server 10.0.0.1 80 {\n}\n");
    BOOST_CHECK(p.has("t.conf:1:1: error: vrrp_instance 'X' needs an interface (or global_defs "
                      "default_interface)"));
    BOOST_CHECK(p.has("t.conf:4:1: warning: virtual_server 10.0.0.1 port 80 has no real servers; "
                      "it does nothing"));
    auto q = parse("global_defs {\n default_interface lo\n}\n"
                   "vrrp_instance X {\n virtual_router_id 5\n}\n");
    BOOST_CHECK(q.errors().empty());
    BOOST_CHECK_EQUAL(q.config.vrrp_instances[0].interface, "lo");
}

BOOST_AUTO_TEST_CASE(host_checks_warn_about_interfaces_and_ownership) {
    auto p = parse("vrrp_instance A {\n interface nosuchif0\n virtual_router_id 1\n priority 255\n"
                   " virtual_ipaddress {\n  10.255.255.1 dev nosuchif1\n }\n"
                   " track_interface {\n  nosuchif2\n }\n}\n"
                   "vrrp_instance B {\n interface lo\n virtual_router_id 2\n priority 255\n"
                   " virtual_ipaddress {\n  127.0.0.1\n }\n}\n");
    BOOST_REQUIRE(p.errors().empty());
    check_host(p.config, p.diags);
    BOOST_CHECK(p.has("t.conf:2:12: warning: interface 'nosuchif0' does not exist on this host"));
    BOOST_CHECK(p.has("t.conf:6:3: warning: interface 'nosuchif1' does not exist on this host"));
    BOOST_CHECK(
        p.has("t.conf:9:3: warning: tracked interface 'nosuchif2' does not exist on this host"));
    BOOST_CHECK(p.has("t.conf:1:1: warning: priority 255 is for the address owner, but no virtual "
                      "address of 'A' is configured on this host"));
    BOOST_CHECK_EQUAL(p.warnings().size(), 4u); // B owns 127.0.0.1 on lo: nothing to say
}

// ---------------------------------------------------------------- LVS options keepalived has
// Scheduler flags, one-packet scheduling, persistence engine, tunnel options, per-real-server
// methods, lvs_timeouts and lvs_sync_daemon; the verdicts agree with keepalived 2.2.7's -t
// (tests/fixtures/keepalived/corpus/ok-lvs-options.conf and its siblings).

BOOST_AUTO_TEST_CASE(scheduler_flags_ops_and_persistence_engine) {
    auto p = parse(
        "virtual_server 10.0.0.1 5060 {\n protocol UDP\n lvs_sched sh\n sh-port\n"
        " sh-fallback\n ops\n hashed\n persistence_engine sip\n real_server 10.0.1.1 5060\n}\n"
        "virtual_server 10.0.0.2 80 {\n lvs_sched mh\n mh-port\n flag-3\n"
        " real_server 10.0.1.1 80\n}\n"
        "virtual_server 10.0.0.3 80 {\n lvs_sched rr\n flag-1\n flag-2\n"
        " real_server 10.0.1.1 80\n}\n");
    BOOST_TEST(p.errors().empty());
    const auto& a = p.config.virtual_servers[0];
    BOOST_TEST(a.sched_flag_1);
    BOOST_TEST(a.sched_flag_2);
    BOOST_TEST(!a.sched_flag_3);
    BOOST_TEST(a.ops);
    BOOST_TEST(a.persistence_engine == "sip");
    BOOST_TEST(p.has("t.conf:7:2: note: 'hashed' has no effect: the kernel marks every service "
                     "hashed"));
    const auto& b = p.config.virtual_servers[1];
    BOOST_TEST((!b.sched_flag_1 && b.sched_flag_2 && b.sched_flag_3));
    const auto& c = p.config.virtual_servers[2];
    BOOST_TEST((c.sched_flag_1 && c.sched_flag_2 && !c.sched_flag_3));
    BOOST_TEST(p.warnings().empty());
}

BOOST_AUTO_TEST_CASE(sh_and_mh_flags_need_their_scheduler_first) {
    // keepalived looks at the scheduler as it reads the flag: written before lvs_sched sh, or
    // with another scheduler, it refuses it.
    auto p = parse("virtual_server 10.0.0.1 80 {\n sh-port\n lvs_sched sh\n}\n"
                   "virtual_server 10.0.0.2 80 {\n lvs_sched rr\n mh-fallback\n}\n"
                   "virtual_server 10.0.0.3 80 {\n lvs_sched sh\n mh-port\n}\n");
    BOOST_TEST(p.errors() ==
                   std::vector<std::string>(
                       {"t.conf:2:2: error: 'sh-port' applies to the sh and mh schedulers only "
                        "(write it after 'lvs_sched sh' or 'lvs_sched mh')",
                        "t.conf:7:2: error: 'mh-fallback' applies to the sh and mh schedulers only "
                        "(write it after 'lvs_sched sh' or 'lvs_sched mh')"}),
               boost::test_tools::per_element());
    BOOST_TEST(p.config.virtual_servers[2].sched_flag_2); // the same bit for either scheduler
}

BOOST_AUTO_TEST_CASE(ops_needs_udp) {
    auto p = parse("virtual_server 10.0.0.1 80 {\n ops\n}\n");
    BOOST_TEST(p.has("t.conf:1:1: error: virtual_server 10.0.0.1 port 80: 'ops' (one-packet "
                     "scheduling) needs protocol UDP"));
}

BOOST_AUTO_TEST_CASE(tunnel_options) {
    auto p = parse("virtual_server 10.0.0.1 80 {\n lvs_method TUN type gue port 6080 csum\n"
                   " real_server 10.0.1.1 80 {\n  lvs_method TUN type gre csum\n }\n"
                   " real_server 10.0.1.2 80 {\n  lvs_method DR\n }\n"
                   " real_server 10.0.1.3 80\n"
                   " real_server 10.0.1.4 80 {\n  lvs_method TUN remcsum port 6081 type gue\n }\n"
                   "}\n"
                   "virtual_server 10.0.0.2 80 {\n lvs_method tun\n}\n");
    BOOST_TEST(p.errors().empty());
    const auto& vs = p.config.virtual_servers[0];
    BOOST_TEST((vs.lvs_method == LvsMethod::tun));
    BOOST_TEST((vs.tunnel == TunnelOptions{TunnelType::gue, 6080, TunnelChecksum::csum}));
    const auto& rs = vs.real_servers;
    BOOST_TEST((rs[0].lvs_method == LvsMethod::tun));
    BOOST_TEST((rs[0].tunnel == TunnelOptions{TunnelType::gre, 0, TunnelChecksum::csum}));
    BOOST_TEST((rs[1].lvs_method == LvsMethod::dr));
    BOOST_TEST(!rs[2].lvs_method.has_value());
    BOOST_TEST((rs[3].tunnel == TunnelOptions{TunnelType::gue, 6081, TunnelChecksum::remcsum}));
    BOOST_TEST((p.config.virtual_servers[1].tunnel == TunnelOptions{}));
}

BOOST_AUTO_TEST_CASE(tunnel_options_refused_as_keepalived_refuses_them) {
    struct Case {
        std::string method, error;
    };
    for (const auto& c : std::vector<Case>{
             {"TUN type gue", "t.conf:2:13: error: a gue tunnel needs 'port NUM'"},
             {"TUN type gre port 5", "t.conf:2:13: error: only a gue tunnel has a port"},
             {"TUN type gre remcsum",
              "t.conf:2:26: error: gre tunnels have no remote checksum (remcsum)"},
             {"TUN type ipip csum", "t.conf:2:27: error: ipip tunnels have no checksum option"},
             {"TUN ipip", "t.conf:2:17: error: unknown tunnel option 'ipip' for virtual server "
                          "(type, port, nocsum, csum, remcsum)"},
             {"TUN type foo", "t.conf:2:22: error: unknown tunnel type 'foo' (ipip, gue or gre)"},
             {"TUN type gue port 0", "t.conf:2:31: error: '0' is out of range [1, 65535]"},
             {"TUN type", "t.conf:2:17: error: 'type' needs a value"},
         }) {
        auto p = parse("virtual_server 10.0.0.1 80 {\n lvs_method " + c.method + "\n}\n");
        BOOST_TEST(p.errors() == std::vector<std::string>{c.error},
                   boost::test_tools::per_element());
    }
    auto dr = parse("virtual_server 10.0.0.1 80 {\n lvs_method DR type gre\n}\n");
    BOOST_TEST(dr.errors().empty());
    BOOST_TEST(dr.has("t.conf:2:16: warning: tunnel options apply to lvs_method TUN only; "
                      "ignored"));
}

BOOST_AUTO_TEST_CASE(real_server_method_decides_family_mixing) {
    auto p = parse("virtual_server 10.0.0.1 80 {\n lvs_method DR\n"
                   " real_server fd00::1 80 {\n  lvs_method TUN\n }\n}\n"
                   "virtual_server 10.0.0.2 80 {\n lvs_method TUN\n"
                   " real_server fd00::2 80 {\n  lvs_method DR\n }\n}\n");
    BOOST_TEST(p.errors() ==
                   std::vector<std::string>{"t.conf:9:2: error: real server fd00::2 is IPv6 but "
                                            "the virtual server is IPv4; only TUN can mix "
                                            "families"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(lvs_timeouts) {
    auto p = parse("global_defs {\n lvs_timeouts udp 30 tcp 900\n}\n");
    BOOST_TEST(p.errors().empty());
    BOOST_REQUIRE(p.config.global_defs.lvs_timeouts);
    BOOST_TEST((*p.config.global_defs.lvs_timeouts == LvsTimeouts{900, std::nullopt, 30}));
    for (auto [line, error] : std::vector<std::pair<std::string, std::string>>{
             {"lvs_timeouts", "t.conf:2:2: error: lvs_timeouts needs at least one of tcp, "
                              "tcpfin and udp"},
             {"lvs_timeouts tcp", "t.conf:2:15: error: 'tcp' needs a number of seconds"},
             {"lvs_timeouts tcp 2678401", "t.conf:2:19: error: '2678401' is out of range [0, "
                                          "2678400]"},
             {"lvs_timeouts fin 3", "t.conf:2:15: error: unknown lvs_timeouts option 'fin' "
                                    "(tcp, tcpfin, udp)"},
         }) {
        auto bad = parse("global_defs {\n " + line + "\n}\n");
        BOOST_TEST(bad.errors().front() == error);
        BOOST_TEST(!bad.config.global_defs.lvs_timeouts);
    }
}

BOOST_AUTO_TEST_CASE(lvs_nft_slots) {
    auto p = parse("global_defs {\n lvs_nft_slots 509\n}\n");
    BOOST_TEST(p.errors().empty());
    BOOST_TEST(p.config.global_defs.lvs_nft_slots.value_or(0) == 509u);
    BOOST_TEST(!parse("global_defs {\n}\n").config.global_defs.lvs_nft_slots);
    for (auto [line, error] : std::vector<std::pair<std::string, std::string>>{
             {"lvs_nft_slots 1000", "t.conf:2:16: error: lvs_nft_slots 1000 is not a prime "
                                    "(e.g. 251, 509, 1021, 4093)"},
             {"lvs_nft_slots 1", "t.conf:2:16: error: '1' is out of range [2, 65521]"},
             {"lvs_nft_slots many", "t.conf:2:16: error: 'many' is not an integer"},
         }) {
        auto bad = parse("global_defs {\n " + line + "\n}\n");
        BOOST_REQUIRE(!bad.errors().empty());
        BOOST_TEST(bad.errors().front() == error);
        BOOST_TEST(!bad.config.global_defs.lvs_nft_slots);
    }
}

BOOST_AUTO_TEST_CASE(lvs_sync_daemon) {
    auto p = parse("global_defs {\n lvs_sync_daemon eth1 inst VI_1 id 42 maxlen 1400 port 8848"
                   " ttl 2 group ff02::81\n}\n" +
                   instance(" priority 100\n virtual_ipaddress {\n  10.0.0.1\n }\n"));
    BOOST_TEST(p.errors().empty());
    BOOST_TEST(p.warnings().empty());
    const auto& d = p.config.global_defs.lvs_sync_daemon;
    BOOST_REQUIRE(d);
    BOOST_TEST(d->interface == "eth1");
    BOOST_TEST(d->vrrp_instance == "VI_1");
    BOOST_TEST(d->sync_id.value() == 42u);
    BOOST_TEST(d->max_len.value() == 1400u);
    BOOST_TEST(d->port.value() == 8848u);
    BOOST_TEST(d->ttl.value() == 2u);
    BOOST_TEST(d->group->str() == "ff02::81");

    // the old form IFACE INSTANCE SYNCID, which keepalived still reads
    auto old = parse("global_defs {\n lvs_sync_daemon eth1 VI_9 7\n}\n");
    BOOST_TEST(old.errors().empty());
    BOOST_TEST(old.config.global_defs.lvs_sync_daemon->sync_id.value() == 7u);
    BOOST_TEST(old.has("t.conf:2:28: warning: write the sync id as 'id 7'"));
    BOOST_TEST(old.has("t.conf:2:2: warning: lvs_sync_daemon follows vrrp_instance 'VI_9', "
                       "which is not defined"));

    for (auto [line, error] : std::vector<std::pair<std::string, std::string>>{
             {"lvs_sync_daemon", "t.conf:2:18: error: 'lvs_sync_daemon' needs a value"},
             {"lvs_sync_daemon eth1 id 256", "t.conf:2:26: error: '256' is out of range [0, 255]"},
             {"lvs_sync_daemon eth1 maxlen 65508",
              "t.conf:2:30: error: '65508' is out of range [1, 65507]"},
             {"lvs_sync_daemon eth1 group 10.0.0.1",
              "t.conf:2:29: error: lvs_sync_daemon group 10.0.0.1 is not multicast"},
             {"lvs_sync_daemon eth1 inst VI_1 5",
              "t.conf:2:33: error: unknown lvs_sync_daemon option '5' (id, maxlen, port, ttl, "
              "group; a sync id is written 'id N')"},
             {"lvs_sync_daemon eth1 ttl", "t.conf:2:23: error: 'ttl' needs a value"},
         }) {
        auto bad = parse("global_defs {\n " + line + "\n}\n");
        BOOST_TEST(bad.errors().front() == error);
        BOOST_TEST(!bad.config.global_defs.lvs_sync_daemon);
    }
}

BOOST_AUTO_TEST_CASE(lvs_options_in_the_json_dump) {
    auto p = parse("global_defs {\n lvs_timeouts tcp 900\n lvs_sync_daemon eth1 id 3\n}\n"
                   "virtual_server 10.0.0.1 5060 {\n protocol UDP\n lvs_sched sh\n sh-port\n"
                   " ops\n persistence_engine sip\n lvs_method TUN type gue port 6080 csum\n"
                   " real_server 10.0.1.1 5060\n"
                   " real_server 10.0.1.2 5060 {\n  lvs_method DR\n }\n}\n");
    BOOST_REQUIRE(p.errors().empty());
    auto j = to_json(p.config);
    const auto& g = j["global_defs"];
    BOOST_TEST(g["lvs_timeouts"] ==
               nlohmann::json({{"tcp", 900}, {"tcpfin", nullptr}, {"udp", nullptr}}));
    BOOST_TEST(g["lvs_sync_daemon"]["interface"] == "eth1");
    BOOST_TEST(g["lvs_sync_daemon"]["id"] == 3);
    BOOST_TEST(g["lvs_sync_daemon"]["group"].is_null());
    const auto& vs = j["virtual_servers"][0];
    BOOST_TEST(vs["lvs_sched_flags"] == nlohmann::json::array({"flag-2"}));
    BOOST_TEST(vs["ops"] == true);
    BOOST_TEST(vs["persistence_engine"] == "sip");
    BOOST_TEST(vs["tunnel"] ==
               nlohmann::json({{"type", "gue"}, {"port", 6080}, {"checksum", "csum"}}));
    BOOST_TEST(vs["real_servers"][0]["lvs_method"] == "TUN");
    BOOST_TEST(vs["real_servers"][0]["tunnel"] == vs["tunnel"]);
    BOOST_TEST(vs["real_servers"][1]["lvs_method"] == "DR");
    BOOST_TEST(vs["real_servers"][1]["tunnel"].is_null());
}

BOOST_AUTO_TEST_CASE(dr_and_tun_real_server_ports_follow_the_service) {
    auto p = parse("virtual_server 10.0.0.1 80 {\n lb_kind DR\n"
                   " real_server 10.0.0.11 8080 {\n }\n"
                   " real_server 10.0.0.12 80 {\n }\n"
                   " real_server 10.0.0.13 8081 {\n  lvs_method NAT\n }\n}\n");
    BOOST_CHECK(p.errors().empty());
    const auto& rs = p.config.virtual_servers.at(0).real_servers;
    BOOST_CHECK_EQUAL(rs.at(0).port, 80);
    BOOST_CHECK_EQUAL(rs.at(1).port, 80);
    BOOST_CHECK_EQUAL(rs.at(2).port, 8081); // NAT may change it
    auto w = p.warnings();
    BOOST_REQUIRE_EQUAL(w.size(), 1u);
    BOOST_CHECK(w[0].find("t.conf:3:") == 0);
    BOOST_CHECK(w[0].find("real server 10.0.0.11 port 8080: DR cannot change the port; using the "
                          "virtual server's port 80") != std::string::npos);
}
