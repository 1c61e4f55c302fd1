#define BOOST_TEST_MODULE control
#include <boost/test/unit_test.hpp>

#include "conf/diagnostic.h"
#include "director/config/parser.h"
#include "director/control/client.h"
#include "director/control/commands.h"
#include "director/control/control_server.h"
#include "director/control/ipvsadm_format.h"
#include "director/control/vrrp_format.h"
#include "director/dataplane/desired_table.h"
#include "director/dataplane/table_json.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

using namespace lvsd;
using namespace lvsd::director;
using namespace lvsd::director::control;
using namespace lvsd::director::dataplane;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const fs::path vm_data = LVSD_VM_DATA;

std::string read_file(const fs::path& p) {
    std::ifstream in(p);
    BOOST_REQUIRE_MESSAGE(in, "cannot read " << p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

Table table_of_config(const fs::path& p) {
    conf::Diagnostics d;
    auto c = config::load_config(p, "", d);
    BOOST_REQUIRE_MESSAGE(!d.has_errors(), p << " has errors");
    return desired_table(c).table;
}

Table table_of_json(const fs::path& p) {
    return table_from_json(json::parse(read_file(p)), Counters::read);
}

net::IpAddress ip(const std::string& s) {
    auto a = net::IpAddress::parse(s);
    BOOST_REQUIRE(a);
    return *a;
}

// The table with counters the --stats and --rate layouts are checked on.
Table counted_table() {
    Service s;
    s.key = ServiceKey::by_address(Protocol::tcp, ip("10.0.0.1"), 80);
    s.stats = {12, 345, 0, 123456789, 2000000000, 3, 40, 38, 5000, 123456789};
    Destination d1;
    d1.key = {ip("10.0.1.1"), 80};
    d1.stats = {5, 100, 90, 99999999, 100000000, 2, 30, 28, 4000, 100000000};
    Destination d2;
    d2.key = {ip("10.0.1.2"), 8080};
    d2.stats = {7, 245, 0, 23456789, 1999999999999, 1, 10, 10, 1000, 23456789};
    s.add(d2);
    s.add(d1);
    Service f;
    f.key = ServiceKey::by_fwmark(AF_INET6, 7);
    f.stats.outbytes = 123456789012345678ULL;
    Table t;
    t.add(f);
    t.add(s);
    return t;
}

} // namespace

// ---------------------------------------------------------------- ipvsadm layouts
// tests/vm/data/*.list and friends are what ipvsadm 1.31 printed in the guest for these tables
// (without its version line): our text must be the same, byte for byte.

BOOST_AUTO_TEST_SUITE(ipvsadm_layout)

BOOST_AUTO_TEST_CASE(plain_matches_ipvsadm_on_a_conf) {
    auto t = table_of_config(vm_data / "a.conf");
    BOOST_TEST(format_listing(t) == read_file(vm_data / "a.list"));
}

BOOST_AUTO_TEST_CASE(plain_matches_ipvsadm_on_b_conf) {
    auto t = table_of_config(vm_data / "b.conf");
    BOOST_TEST(format_listing(t) == read_file(vm_data / "b.list"));
}

BOOST_AUTO_TEST_CASE(thresholds_and_persistent_conn_match_ipvsadm) {
    auto t = table_of_config(vm_data / "a.conf");
    BOOST_TEST(format_listing(t, {ListLayout::thresholds}) == read_file(vm_data / "a.thresholds"));
    BOOST_TEST(format_listing(t, {ListLayout::persistent_conn}) ==
               read_file(vm_data / "a.persistent"));
}

BOOST_AUTO_TEST_CASE(tun_info_flags_ops_mixed_families_match_ipvsadm) {
    auto t = table_of_json(vm_data / "c.json");
    BOOST_TEST(format_listing(t, {ListLayout::tun_info}) == read_file(vm_data / "c.list"));
    BOOST_TEST(format_listing(t, {ListLayout::thresholds}) == read_file(vm_data / "c.thresholds"));
}

BOOST_AUTO_TEST_CASE(refused_table_matches_ipvsadm) {
    // what was left after the refusals: two plain DR services
    Table t;
    for (auto [vip, rip, sched] :
         {std::tuple{"10.2.0.3", "10.2.1.2", "wlc"}, std::tuple{"10.2.0.1", "10.2.1.1", "rr"}}) {
        Service s;
        s.key = ServiceKey::by_address(Protocol::tcp, ip(vip), 80);
        s.scheduler = sched;
        Destination d;
        d.key = {ip(rip), 80};
        d.forward = Forward::dr;
        s.add(d);
        t.add(s);
    }
    BOOST_TEST(format_listing(t) == read_file(vm_data / "refused.list"));
}

BOOST_AUTO_TEST_CASE(version_line) {
    BOOST_TEST(control::version_line({0x010201, 4096}) ==
               "IP Virtual Server version 1.2.1 (size=4096)\n");
    BOOST_TEST(control::version_line({0x010203, 1048576}) ==
               "IP Virtual Server version 1.2.3 (size=1048576)\n");
}

BOOST_AUTO_TEST_CASE(stats_layout) {
    const std::string want =
        "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
        "  -> RemoteAddress:Port\n"
        "TCP  10.0.0.1:80                        12      345        0  123456K    2000M\n"
        "  -> 10.0.1.1:80                         5      100       90 99999999  100000K\n"
        "  -> 10.0.1.2:8080                       7      245        0 23456789    1999G\n"
        "FWM  7 IPv6                              0        0        0        0  123456T\n";
    BOOST_TEST(format_listing(counted_table(), {ListLayout::stats}) == want);
}

BOOST_AUTO_TEST_CASE(rate_layout) {
    const std::string want =
        "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
        "  -> RemoteAddress:Port\n"
        "TCP  10.0.0.1:80                         3       40       38     5000  123456K\n"
        "  -> 10.0.1.1:80                         2       30       28     4000  100000K\n"
        "  -> 10.0.1.2:8080                       1       10       10     1000 23456789\n"
        "FWM  7 IPv6                              0        0        0        0        0\n";
    BOOST_TEST(format_listing(counted_table(), {ListLayout::rate}) == want);
}

BOOST_AUTO_TEST_CASE(exact_counters) {
    auto text = format_listing(counted_table(), {ListLayout::stats, true});
    BOOST_TEST(text.find("TCP  10.0.0.1:80                        12      345        0 "
                         "123456789 2000000000\n") != std::string::npos);
    BOOST_TEST(format_counter(12345678, true) == " 12345678");
    BOOST_TEST(format_counter(123456789, true) == " 123456789");
}

BOOST_AUTO_TEST_CASE(counter_units) {
    BOOST_TEST(format_counter(0, false) == "        0");
    BOOST_TEST(format_counter(99999999, false) == " 99999999");
    BOOST_TEST(format_counter(100000000, false) == "  100000K");
    BOOST_TEST(format_counter(999999999, false) == "  999999K");
    BOOST_TEST(format_counter(1000000000, false) == "    1000M");
    BOOST_TEST(format_counter(99999999999ULL, false) == "   99999M");
    BOOST_TEST(format_counter(100000000000ULL, false) == "     100G");
    BOOST_TEST(format_counter(100000000000000ULL, false) == "     100T");
}

BOOST_AUTO_TEST_CASE(persistence_engine_ops_and_ipv6_mask) {
    Service s;
    s.key = ServiceKey::by_address(Protocol::udp, ip("10.0.0.9"), 5060);
    s.scheduler = "rr";
    s.persistence = Persistence{360, 32};
    s.pe_name = "sip";
    s.flags = service_flag::one_packet | service_flag::sched1;
    Service v6;
    v6.key = ServiceKey::by_fwmark(AF_INET6, 3);
    v6.scheduler = "sh";
    v6.persistence = Persistence{60, 48};
    v6.flags = service_flag::sched1 | service_flag::sched3;
    Table t;
    t.add(s);
    t.add(v6);
    BOOST_TEST(format_listing(t) ==
               "Prot LocalAddress:Port Scheduler Flags\n"
               "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
               "UDP  10.0.0.9:5060 rr (flag-1) persistent 360 pe sip ops\n"
               "FWM  3 IPv6 sh (sh-fallback,flag-3) persistent 60 mask 48\n");
}

BOOST_AUTO_TEST_CASE(sorted_as_ipvsadm_sorts) {
    // ipvsadm compares 32-bit words by signed difference: 10.x sorts after 200.x (the
    // difference wraps) and an IPv6 destination fd00:: before IPv4 ones (c.list shows it too).
    Service s;
    s.key = ServiceKey::by_address(Protocol::tcp, ip("10.0.0.1"), 80);
    for (auto a : {"10.0.1.1", "200.0.0.1", "10.0.0.200"}) {
        Destination d;
        d.key = {ip(a), 80};
        s.add(d);
    }
    Table t;
    t.add(s);
    auto text = format_listing(t);
    auto p200 = text.find("200.0.0.1"), p10a = text.find("10.0.0.200"),
         p10b = text.find("10.0.1.1");
    BOOST_TEST(p200 < p10a);
    BOOST_TEST(p10a < p10b);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------- requests

BOOST_AUTO_TEST_SUITE(requests)

Sources fixed_sources() {
    Sources s;
    s.table = [] { return counted_table(); };
    s.backend = [] { return BackendInfo{"ipvs", 0x010201, 4096}; };
    s.vrrp_instances = [] { return json::array({{{"name", "VI_1"}, {"state", "MASTER"}}}); };
    return s;
}

BOOST_AUTO_TEST_CASE(list_returns_table_with_counters_and_backend) {
    auto reply = handle_request({{"command", "list"}}, fixed_sources());
    BOOST_TEST(reply["ok"] == true);
    BOOST_TEST(reply["backend"] ==
               json({{"name", "ipvs"}, {"version", "1.2.1"}, {"conn_table_size", 4096}}));
    auto t = table_from_json(reply["table"], Counters::read);
    BOOST_TEST(format_listing(t, {ListLayout::stats}) ==
               format_listing(counted_table(), {ListLayout::stats}));
    auto b = backend_info_from_json(reply["backend"]);
    BOOST_TEST(b.ipvs_version.value() == 0x010201u);
    BOOST_TEST(b.conn_table_size.value() == 4096u);
}

BOOST_AUTO_TEST_CASE(counters_ignored_unless_asked) {
    auto j = dataplane::to_json(counted_table());
    auto plain = table_from_json(j);
    BOOST_TEST(plain.services.begin()->second.stats.outbytes == 0u);
    auto counted = table_from_json(j, Counters::read);
    BOOST_TEST(counted.services.begin()->second.stats.outbytes == 2000000000u);
}

BOOST_AUTO_TEST_CASE(vrrp_and_ping) {
    auto s = fixed_sources();
    BOOST_TEST(handle_request({{"command", "ping"}}, s) == json({{"ok", true}}));
    auto reply = handle_request({{"command", "vrrp"}}, s);
    BOOST_TEST(reply["ok"] == true);
    BOOST_TEST(reply["vrrp_instances"][0]["name"] == "VI_1");
    BOOST_TEST(handle_request({{"command", "vrrp"}}, Sources{})["vrrp_instances"] == json::array());
}

BOOST_AUTO_TEST_CASE(bad_requests_get_error_replies) {
    auto s = fixed_sources();
    for (const json& req : {json(42), json::array(), json::object(), json({{"command", 7}}),
                            json({{"command", "flush"}})}) {
        auto reply = handle_request(req, s);
        BOOST_TEST(reply["ok"] == false);
        BOOST_TEST(!reply["error"].get<std::string>().empty());
    }
    BOOST_TEST(handle_request({{"command", "flush"}}, s)["error"] ==
               "unknown command 'flush' (known: list, vrrp, ping)");
}

BOOST_AUTO_TEST_CASE(a_failing_source_is_an_error_reply) {
    auto s = fixed_sources();
    s.table = []() -> Table { throw std::runtime_error("netlink: Connection refused"); };
    auto reply = handle_request({{"command", "list"}}, s);
    BOOST_TEST(reply == error_reply("list: netlink: Connection refused"));
    BOOST_TEST(handle_request({{"command", "list"}}, Sources{})["ok"] == false);
}

BOOST_AUTO_TEST_CASE(vrrp_text) {
    json instances = json::array({{{"name", "VI_1"},
                                   {"interface", "eth0"},
                                   {"vrid", 51},
                                   {"state", "MASTER"},
                                   {"priority", 150},
                                   {"effective_priority", 140},
                                   {"master", "192.0.2.1"},
                                   {"adverts_sent", 1234},
                                   {"adverts_received", 0},
                                   {"dropped_total", 2}},
                                  {{"name", "VI_2"}}});
    BOOST_TEST(format_vrrp(instances) ==
               "Name             Interface  VRID State   Priority Master           Sent     "
               "Received Dropped\n"
               "VI_1             eth0         51 MASTER  140/150  192.0.2.1        1234     0  "
               "      2\n"
               "VI_2             -             - -       -/-      -                -        -  "
               "      -\n");
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------- the socket

namespace {

// A server on its own loop thread, for the blocking client in the test's thread.
struct Served {
    fs::path dir;
    fs::path path;
    boost::asio::io_context io;
    std::unique_ptr<ControlServer> server;
    std::thread loop;

    explicit Served(ControlServerOptions options = {}, fs::path at = {}) {
        char tmpl[] = "/tmp/lvsd-control-test.XXXXXX";
        dir = ::mkdtemp(tmpl);
        path = at.empty() ? dir / "run" / "director.sock" : at;
        Sources s;
        s.table = [] { return counted_table(); };
        s.backend = [] { return BackendInfo{"ipvs", 0x010201, 4096}; };
        server = std::make_unique<ControlServer>(io, path, make_handler(s), options);
    }
    void run() {
        server->start();
        loop = std::thread([this] { io.run(); });
    }
    ~Served() {
        if (loop.joinable()) {
            boost::asio::post(io, [this] {
                server->stop();
                io.stop();
            });
            loop.join();
        }
        server.reset();
        fs::remove_all(dir);
    }
};

// A raw connection, to send what lvsctl would not.
struct Raw {
    int fd = -1;
    explicit Raw(const fs::path& p) {
        fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strcpy(a.sun_path, p.c_str());
        BOOST_REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        timeval tv{5, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~Raw() { ::close(fd); }
    void send(const std::string& s) {
        BOOST_REQUIRE(::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == ssize_t(s.size()));
    }
    std::string pending;
    // The next line, or "" at EOF.
    std::string line() {
        while (pending.find('\n') == std::string::npos) {
            char buf[4096];
            ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0)
                return "";
            pending.append(buf, n);
        }
        auto nl = pending.find('\n');
        std::string l = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        return l;
    }
    json reply() {
        auto l = line();
        BOOST_REQUIRE(!l.empty());
        return json::parse(l);
    }
};

// A socket file that nobody listens on any more (a director that was killed).
void make_stale_socket(const fs::path& p) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strcpy(a.sun_path, p.c_str());
    BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    ::listen(fd, 1);
    ::close(fd);
}

} // namespace

BOOST_AUTO_TEST_SUITE(control_socket)

BOOST_AUTO_TEST_CASE(request_reply_and_mode_0600) {
    Served s;
    s.run();
    struct stat st {};
    BOOST_REQUIRE(::stat(s.path.c_str(), &st) == 0);
    BOOST_TEST(S_ISSOCK(st.st_mode));
    BOOST_TEST((st.st_mode & 07777) == 0600u);
    auto reply = request(s.path, {{"command", "list"}});
    BOOST_TEST(reply["ok"] == true);
    BOOST_TEST(reply["table"]["services"].size() == 2u);
    BOOST_TEST(request(s.path, {{"command", "nope"}})["ok"] == false);
}

BOOST_AUTO_TEST_CASE(malformed_json_keeps_the_connection) {
    Served s;
    s.run();
    Raw c(s.path);
    c.send("{not json\n");
    auto r = c.reply();
    BOOST_TEST(r == error_reply("malformed JSON request"));
    c.send("\n{\"command\": \"ping\"}\r\n");
    BOOST_TEST(c.reply() == json({{"ok", true}}));
}

BOOST_AUTO_TEST_CASE(pipelined_requests_answered_in_order) {
    Served s;
    s.run();
    Raw c(s.path);
    c.send("{\"command\": \"ping\"}\n{\"command\": \"x\"}\n{\"command\": \"list\"}\n");
    BOOST_TEST(c.reply()["ok"] == true);
    BOOST_TEST(c.reply()["ok"] == false);
    BOOST_TEST(c.reply().contains("table"));
}

BOOST_AUTO_TEST_CASE(last_request_without_newline) {
    Served s;
    s.run();
    Raw c(s.path);
    c.send("{\"command\": \"ping\"}");
    ::shutdown(c.fd, SHUT_WR);
    BOOST_TEST(c.reply() == json({{"ok", true}}));
    BOOST_TEST(c.line() == ""); // then closed
}

BOOST_AUTO_TEST_CASE(request_too_long_is_refused_and_closed) {
    ControlServerOptions o;
    o.max_request_bytes = 1024;
    Served s(o);
    s.run();
    Raw c(s.path);
    c.send("{\"command\": \"" + std::string(4000, 'x') + "\"}\n");
    auto r = c.reply();
    BOOST_TEST(r["ok"] == false);
    BOOST_TEST(r["error"].get<std::string>().find("too long") != std::string::npos);
    BOOST_TEST(c.line() == "");
    // the server still serves others
    BOOST_TEST(request(s.path, {{"command", "ping"}})["ok"] == true);
}

BOOST_AUTO_TEST_CASE(connection_limit) {
    ControlServerOptions o;
    o.max_connections = 2;
    Served s(o);
    s.run();
    Raw a(s.path), b(s.path);
    a.send("{\"command\": \"ping\"}\n");
    b.send("{\"command\": \"ping\"}\n");
    BOOST_TEST(a.reply()["ok"] == true); // both accepted and served
    BOOST_TEST(b.reply()["ok"] == true);
    auto r = request(s.path, {{"command", "ping"}});
    BOOST_TEST(r["ok"] == false);
    BOOST_TEST(r["error"].get<std::string>().find("too many") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(stale_socket_is_replaced) {
    Served s;
    fs::create_directories(s.path.parent_path());
    make_stale_socket(s.path);
    s.run();
    BOOST_TEST(request(s.path, {{"command", "ping"}})["ok"] == true);
}

BOOST_AUTO_TEST_CASE(live_socket_is_not_taken_over) {
    Served first;
    first.run();
    boost::asio::io_context io;
    ControlServer second(io, first.path, [](const json&) { return json{{"ok", true}}; });
    BOOST_CHECK_THROW(second.start(), std::runtime_error);
    BOOST_TEST(request(first.path, {{"command", "list"}})["ok"] == true); // still the first's
}

BOOST_AUTO_TEST_CASE(a_regular_file_is_left_alone) {
    Served s;
    fs::create_directories(s.path.parent_path());
    std::ofstream(s.path) << "precious\n";
    BOOST_CHECK_THROW(s.server->start(), std::runtime_error);
    BOOST_TEST(read_file(s.path) == "precious\n");
}

BOOST_AUTO_TEST_CASE(stop_removes_the_socket_and_clients_see_unreachable) {
    Served s;
    s.run();
    BOOST_TEST(fs::exists(s.path));
    boost::asio::post(s.io, [&] { s.server->stop(); });
    for (int i = 0; i < 100 && fs::exists(s.path); ++i)
        ::usleep(10000);
    BOOST_TEST(!fs::exists(s.path));
    try {
        request(s.path, {{"command", "ping"}});
        BOOST_FAIL("no Unreachable");
    } catch (const Unreachable& e) {
        BOOST_TEST(std::string(e.what()) == "cannot reach lvs-director at " + s.path.string() +
                                                ": No such file or directory (is lvs-director "
                                                "running?)");
    }
}

BOOST_AUTO_TEST_CASE(a_handler_that_throws_is_an_error_reply) {
    boost::asio::io_context io;
    char tmpl[] = "/tmp/lvsd-control-test.XXXXXX";
    fs::path dir = ::mkdtemp(tmpl);
    ControlServer server(io, dir / "s.sock",
                         [](const json&) -> json { throw std::runtime_error("boom"); });
    server.start();
    std::thread loop([&] { io.run(); });
    auto r = request(dir / "s.sock", {{"command", "ping"}});
    boost::asio::post(io, [&] {
        server.stop();
        io.stop();
    });
    loop.join();
    fs::remove_all(dir);
    BOOST_TEST(r == error_reply("boom"));
}

BOOST_AUTO_TEST_SUITE_END()
