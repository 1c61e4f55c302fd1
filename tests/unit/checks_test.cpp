// Health checkers: the pure state machine (retries, alpha, dynamic weights, quorum), health →
// table, and the probes against servers run in-process on loopback (Beast, and TLS with a
// certificate made by `openssl req`): right and wrong status and digest, a listener that never
// answers, a TLS handshake that never finishes, an endless body. Then CheckerSet end to end.
#define BOOST_TEST_MODULE checks
#include <boost/test/unit_test.hpp>

#include "conf/reader.h"
#include "conf/statement.h"
#include "director/checks/agent_text.h"
#include "director/checks/check_state.h"
#include "director/checks/checker_set.h"
#include "director/checks/grid_timers.h"
#include "director/checks/health_table.h"
#include "director/checks/md5.h"
#include "director/checks/probe.h"
#include "director/checks/response_parser.h"
#include "director/checks/socket_pool.h"
#include "director/config/parser.h"
#include "director/notify/script_runner.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <thread>

using namespace lvsd;
using namespace lvsd::director;
using namespace lvsd::director::checks;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

config::Config parse(const std::string& text) {
    conf::Diagnostics d;
    conf::Reader r(d);
    auto c = config::parse_config(conf::build_statements(r.read_string(text, "t.conf")), d);
    for (const auto& x : d.all())
        BOOST_TEST_MESSAGE(x.str());
    BOOST_REQUIRE_MESSAGE(!d.has_errors(), "config has errors");
    return c;
}

Result ok(std::optional<int> w = std::nullopt) {
    return Result{true, w, ""};
}
Result bad() {
    return Result{false, std::nullopt, "no"};
}

// Runs `io` until `pred` holds or `limit` passes; returns pred().
template <class P> bool run_until(asio::io_context& io, P pred, Duration limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (!pred() && std::chrono::steady_clock::now() < end) {
        io.restart();
        io.run_for(10ms);
    }
    return pred();
}

// A directory under /tmp, removed at the end; 0755 so `nobody` can run scripts in it.
struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/lvsd-checks-test.XXXXXX";
        path = ::mkdtemp(tmpl);
        fs::permissions(path, fs::perms(0755));
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

// A script that appends its argument to a file: script(ARG) is a config's quoted command for it,
// marks() what was appended so far. `nobody` (script_user) may write there.
struct MarkScript {
    TempDir dir;
    fs::path mark = dir.path / "mark.sh";
    fs::path file = dir.path / "marks";
    MarkScript() {
        fs::permissions(dir.path, fs::perms(0777));
        std::ofstream(mark) << "#!/bin/sh\necho \"$1\" >>" << file.string() << "\n";
        fs::permissions(mark, fs::perms(0755));
    }
    std::string script(const std::string& arg) const {
        return "\"" + mark.string() + " " + arg + "\"";
    }
    std::set<std::string> marks() const {
        std::ifstream in(file);
        std::set<std::string> out;
        for (std::string l; std::getline(in, l);)
            out.insert(l);
        return out;
    }
};

// A self-signed certificate and key for the TLS server, made once by `openssl req`.
const TempDir& cert_dir() {
    static TempDir d;
    static bool made = [] {
        std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost "
                          "-keyout " +
                          (d.path / "key.pem").string() + " -out " +
                          (d.path / "cert.pem").string() + " >/dev/null 2>&1";
        return std::system(cmd.c_str()) == 0;
    }();
    BOOST_REQUIRE_MESSAGE(made, "openssl req failed");
    return d;
}

// An HTTP(S) server on 127.0.0.1, in-process on the test's io_context.
class TestServer {
public:
    enum class Mode { respond, silent, endless, garbage };

    TestServer(asio::io_context& io, Mode mode, bool tls = false)
        : io_(io), acceptor_(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0)), mode_(mode),
          tls_(ssl::context::tls_server) {
        if (tls) {
            const auto& d = cert_dir();
            tls_.use_certificate_chain_file((d.path / "cert.pem").string());
            tls_.use_private_key_file((d.path / "key.pem").string(), ssl::context::pem);
            use_tls_ = true;
        }
        port_ = acceptor_.local_endpoint().port();
        accept();
    }

    uint16_t port() const { return port_; }
    tcp::endpoint endpoint() const { return {asio::ip::address_v4::loopback(), port_}; }
    int status = 200;
    std::string body = "ok\n";
    bool keep_open = false; // after a response (plain HTTP): the client closes first
    int requests = 0;
    std::string last_host;
    std::string last_peer;

    void close() {
        error_code ec;
        acceptor_.close(ec);
        held_.clear();
    }
    void reopen() {
        acceptor_ = tcp::acceptor(io_);
        acceptor_.open(tcp::v4());
        acceptor_.set_option(tcp::acceptor::reuse_address(true));
        acceptor_.bind(endpoint());
        acceptor_.listen();
        accept();
    }

private:
    struct Session : std::enable_shared_from_this<Session> {
        Session(TestServer& s, tcp::socket sock) : server(s), sock(std::move(sock)) {}
        TestServer& server;
        tcp::socket sock;
        std::optional<ssl::stream<tcp::socket&>> tls;
        beast::flat_buffer buf;
        http::request<http::string_body> req;
        http::response<http::string_body> res;
        std::string chunk = std::string(64 * 1024, 'x');

        void start() {
            error_code ec;
            server.last_peer = sock.remote_endpoint(ec).address().to_string();
            if (!server.use_tls_)
                return read(sock);
            tls.emplace(sock, server.tls_);
            tls->async_handshake(ssl::stream_base::server,
                                 [self = shared_from_this()](error_code ec) {
                                     if (!ec)
                                         self->read(*self->tls);
                                 });
        }
        template <class S> void read(S& s) {
            http::async_read(s, buf, req, [self = shared_from_this(), &s](error_code ec, size_t) {
                if (ec)
                    return;
                ++self->server.requests;
                self->server.last_host = std::string(self->req[http::field::host]);
                if (self->server.mode_ == Mode::endless)
                    return self->endless(s, true);
                if (self->server.mode_ == Mode::garbage)
                    return self->garbage(s);
                self->res.result(self->server.status);
                self->res.version(10);
                self->res.body() = self->server.body;
                self->res.prepare_payload();
                http::async_write(s, self->res, [self](error_code, size_t) {
                    if (self->server.keep_open && !self->server.use_tls_)
                        return self->server.held_.push_back(std::move(self->sock));
                    error_code ignored;
                    self->sock.shutdown(tcp::socket::shutdown_both, ignored);
                });
            });
        }
        // Not HTTP at all.
        template <class S> void garbage(S& s) {
            static const std::string junk = "SSH-2.0-OpenSSH_9.2\r\n\x01\x02\xff\r\n\r\n";
            asio::async_write(s, asio::buffer(junk),
                              [self = shared_from_this()](error_code, size_t) {
                                  error_code ignored;
                                  self->sock.shutdown(tcp::socket::shutdown_both, ignored);
                              });
        }
        // 200 without a length, then bytes until the client gives up.
        template <class S> void endless(S& s, bool first) {
            static const std::string head = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n";
            asio::const_buffer b =
                first ? asio::buffer(head) : asio::const_buffer(asio::buffer(chunk));
            asio::async_write(s, b, [self = shared_from_this(), &s](error_code ec, size_t) {
                if (!ec)
                    self->endless(s, false);
            });
        }
    };

    void accept() {
        acceptor_.async_accept([this](error_code ec, tcp::socket s) {
            if (ec)
                return;
            if (mode_ == Mode::silent)
                held_.push_back(std::move(s)); // the kernel accepted; nobody ever speaks
            else
                std::make_shared<Session>(*this, std::move(s))->start();
            accept();
        });
    }

    asio::io_context& io_;
    tcp::acceptor acceptor_;
    Mode mode_;
    ssl::context tls_;
    bool use_tls_ = false;
    uint16_t port_ = 0;
    std::vector<tcp::socket> held_;
};

ProbeTarget target(tcp::endpoint ep, Duration timeout = 2s) {
    ProbeTarget t;
    t.endpoint = ep;
    t.timeout = timeout;
    return t;
}

// A loopback port nothing listens on.
uint16_t closed_port() {
    asio::io_context io;
    tcp::acceptor a(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    return a.local_endpoint().port(); // closed when `a` goes
}

struct Fetch {
    std::optional<HttpReply> reply;
    Duration took{};
};

Fetch fetch(asio::io_context& io, ssl::context& ctx, const ProbeTarget& t, HttpRequest req,
            Duration limit = 10s) {
    Fetch f;
    auto start = std::chrono::steady_clock::now();
    http_probe(io, ctx, t, req, [&](const HttpReply& r) {
        f.reply = r;
        f.took = std::chrono::steady_clock::now() - start;
    });
    BOOST_REQUIRE(run_until(
        io, [&] { return f.reply.has_value(); }, limit));
    return f;
}

} // namespace

// ---- the pure state machine ----

BOOST_AUTO_TEST_CASE(up_server_goes_down_only_after_its_retries) {
    Timing t;
    t.delay_loop = 5s;
    t.delay_before_retry = 1s;
    t.retry = 2;
    CheckState s(t);
    BOOST_TEST(s.up());
    auto a = s.on_result(bad());
    BOOST_TEST(!a.changed);
    BOOST_TEST(s.up());
    BOOST_TEST((a.next == Duration(1s)));
    auto b = s.on_result(bad());
    BOOST_TEST(!b.changed);
    BOOST_TEST((b.next == Duration(1s)));
    auto c = s.on_result(bad());
    BOOST_TEST(c.changed);
    BOOST_TEST(!s.up());
    BOOST_TEST((c.next == Duration(5s)));
    // Down: failures change nothing and are not retried early.
    auto d = s.on_result(bad());
    BOOST_TEST(!d.changed);
    BOOST_TEST((d.next == Duration(5s)));
    // One success brings it back.
    auto e = s.on_result(ok());
    BOOST_TEST(e.changed);
    BOOST_TEST(s.up());
    BOOST_TEST(s.retries_left() == 2);
}

BOOST_AUTO_TEST_CASE(a_success_between_failures_resets_the_retries) {
    Timing t;
    t.retry = 1;
    CheckState s(t);
    s.on_result(bad());
    s.on_result(ok());
    BOOST_TEST(s.retries_left() == 1);
    s.on_result(bad());
    BOOST_TEST(s.up());
    s.on_result(bad());
    BOOST_TEST(!s.up());
}

// Reloads more frequent than delay_loop must not keep a failing server up.
BOOST_AUTO_TEST_CASE(a_reload_keeps_the_failures_counted_towards_the_retries) {
    Timing t;
    t.retry = 2;
    CheckState before(t);
    before.on_result(bad());
    before.on_result(bad());
    CheckState after(t);
    after.assume(before);
    BOOST_TEST(after.up());
    BOOST_TEST(after.retries_left() == 0);
    after.on_result(bad());
    BOOST_TEST(!after.up());
    BOOST_TEST(!after.retrying()); // down: nothing to retry
    // The failures counted carry over to a new retry: one of 1 counted, 3 - 1 left of 3.
    Timing one = t;
    one.retry = 1;
    CheckState once(one);
    once.on_result(bad());
    BOOST_TEST(once.retrying());
    Timing three = t;
    three.retry = 3;
    CheckState raised(three);
    raised.assume(once);
    BOOST_TEST(raised.retries_left() == 2);
    BOOST_TEST(raised.retrying());
    // More failures than the new retry allows: none left, the next failure takes it down.
    CheckState lowered(one);
    CheckState twice(t);
    twice.on_result(bad());
    twice.on_result(bad());
    lowered.assume(twice);
    BOOST_TEST(lowered.retries_left() == 0);
    // Nothing failed: the new retry in full.
    CheckState fresh(three);
    fresh.assume(CheckState(one));
    BOOST_TEST(fresh.retries_left() == 3);
    BOOST_TEST(!fresh.retrying());
}

BOOST_AUTO_TEST_CASE(retry_zero_goes_down_on_the_first_failure) {
    Timing t;
    t.retry = 0;
    CheckState s(t);
    BOOST_TEST(s.on_result(bad()).changed);
    BOOST_TEST(!s.up());
}

BOOST_AUTO_TEST_CASE(alpha_starts_down_until_a_success) {
    Timing t;
    t.alpha = true;
    CheckState s(t);
    BOOST_TEST(!s.up());
    BOOST_TEST(!s.on_result(bad()).changed);
    BOOST_TEST(s.on_result(ok()).changed);
    BOOST_TEST(s.up());
}

BOOST_AUTO_TEST_CASE(dynamic_weight_changes_are_transitions) {
    CheckState s(Timing{});
    BOOST_TEST(!s.on_result(ok()).changed);
    BOOST_TEST(s.on_result(ok(7)).changed);
    BOOST_TEST(*s.weight() == 7);
    BOOST_TEST(!s.on_result(ok(7)).changed);
    BOOST_TEST(s.on_result(ok()).changed);
    BOOST_TEST(!s.weight().has_value());
}

BOOST_AUTO_TEST_CASE(server_is_up_when_all_its_checkers_are) {
    Timing t;
    t.retry = 0;
    CheckState a(t), b(t);
    BOOST_TEST((server_health({}, 3) == ServerHealth{true, 3}));
    BOOST_TEST((server_health({&a, &b}, 3) == ServerHealth{true, 3}));
    b.on_result(bad());
    BOOST_TEST(!server_health({&a, &b}, 3).up);
    b.on_result(ok(9));
    a.on_result(ok(4));
    // 3 + (4 - 3) + (9 - 3)
    BOOST_TEST((server_health({&a, &b}, 3) == ServerHealth{true, 10}));
    BOOST_TEST((server_health({&a}, 3) == ServerHealth{true, 4}));
}

BOOST_AUTO_TEST_CASE(quorum_with_hysteresis) {
    Quorum q(10, 2, 10);
    BOOST_TEST(q.up());
    BOOST_TEST(!q.update(8)); // 8 is not below 10-2
    BOOST_TEST(q.update(7));
    BOOST_TEST(!q.up());
    BOOST_TEST(!q.update(11)); // needs 10+2
    BOOST_TEST(q.update(12));
    BOOST_TEST(q.up());
    BOOST_TEST(!Quorum(5, 0, 4).up());
}

BOOST_AUTO_TEST_CASE(misc_exit_codes) {
    using K = notify::ExitStatus::Kind;
    BOOST_TEST(misc_result({K::exited, 0}, false).ok);
    BOOST_TEST(!misc_result({K::exited, 3}, false).ok);
    BOOST_TEST(!misc_result({K::exited, 1}, true).ok);
    auto r = misc_result({K::exited, 2}, true);
    BOOST_TEST(r.ok);
    BOOST_TEST(*r.weight == 0);
    BOOST_TEST(*misc_result({K::exited, 255}, true).weight == 253);
    BOOST_TEST(!misc_result({K::timed_out, 0}, true).ok);
    BOOST_TEST(!misc_result({K::signaled, 9}, true).ok);
    BOOST_TEST(!misc_result({K::refused, 0}, false).ok);
}

BOOST_AUTO_TEST_CASE(md5_of_known_strings) {
    BOOST_TEST(md5_hex("") == "d41d8cd98f00b204e9800998ecf8427e");
    BOOST_TEST(md5_hex("The quick brown fox jumps over the lazy dog") ==
               "9e107d9d372bb6826bd81d3542a419d6");
}

BOOST_AUTO_TEST_CASE(md5_fed_in_pieces_is_the_digest_of_the_whole) {
    Md5 m;
    m.update("The quick brown fox ");
    BOOST_TEST(m.hex() == md5_hex("The quick brown fox "));
    m.update("jumps over the lazy dog");
    BOOST_TEST(m.hex() == "9e107d9d372bb6826bd81d3542a419d6");
}

namespace {
// Feeds `wire` to `p` `step` bytes at a time, as reads would; returns the last error.
boost::system::error_code feed(ResponseParser& p, std::string_view wire, size_t step) {
    std::string pending;
    boost::system::error_code ec;
    for (size_t at = 0; at < wire.size() && !p.is_done(); at += step) {
        pending += wire.substr(at, step);
        size_t used = p.put(asio::buffer(pending), ec);
        pending.erase(0, used);
        if (ec == beast::http::error::need_more)
            ec = {};
        else if (ec)
            return ec;
        while (!ec && !pending.empty() && !p.is_done()) { // the body after the header
            used = p.put(asio::buffer(pending), ec);
            pending.erase(0, used);
            if (ec == beast::http::error::need_more || used == 0) {
                ec = {};
                break;
            }
        }
    }
    if (!ec && !p.is_done())
        p.put_eof(ec);
    return ec;
}
} // namespace

BOOST_AUTO_TEST_CASE(response_parser_keeps_status_length_and_digest_only) {
    const std::string plain = "HTTP/1.1 503 Service Unavailable\r\nServer: x\r\n"
                              "Content-Length: 6\r\nX-Long: " +
                              std::string(3000, 'v') + "\r\n\r\nhello\n";
    const std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                "3\r\nhel\r\n3;ext=1\r\nlo\n\r\n0\r\n\r\n";
    const std::string until_close = "HTTP/1.0 200 OK\r\n\r\nhello\n";
    for (size_t step : {size_t(1), size_t(7), size_t(100000)}) {
        for (const auto* wire : {&plain, &chunked, &until_close}) {
            ResponseParser p(true, 1024);
            BOOST_TEST(!feed(p, *wire, step));
            BOOST_TEST(p.is_done());
            BOOST_TEST(p.status() == (wire == &plain ? 503 : 200));
            BOOST_TEST(p.body_size() == 6u);
            BOOST_TEST(p.digest() == md5_hex("hello\n"));
        }
    }
    ResponseParser no_digest(false, 1024);
    BOOST_TEST(!feed(no_digest, plain, 100000));
    BOOST_TEST(no_digest.digest().empty());
    // Longer than the limit: an error, whether the length is announced or not.
    ResponseParser small(true, 5);
    BOOST_TEST((feed(small, plain, 100000) == beast::http::error::body_limit));
    ResponseParser small_chunks(true, 5);
    BOOST_TEST((feed(small_chunks, chunked, 1) == beast::http::error::body_limit));
    ResponseParser garbage(true, 1024);
    BOOST_TEST(feed(garbage, "HTTP/1.1 2x0 OK\r\n\r\n", 100000));
}

// ---- health → table ----

namespace {
const char* three_servers = R"(
virtual_server 10.0.0.1 80 {
  lb_kind NAT
  quorum 2
  sorry_server 10.0.9.9 8080
  real_server 10.0.1.1 80 {
    weight 1
  }
  real_server 10.0.1.2 80 {
    weight 2
    inhibit_on_failure
  }
  real_server 10.0.1.3 80 {
    weight 3
  }
}
virtual_server 10.0.0.2 80 {
  inhibit_on_failure
  real_server 10.0.2.1 80 {
    weight 5
  }
}
)";

const dataplane::Service& service(const dataplane::DesiredTable& t, const std::string& addr) {
    auto key = dataplane::ServiceKey::by_address(dataplane::Protocol::tcp,
                                                 *net::IpAddress::parse(addr), 80);
    auto it = t.table.services.find(key);
    BOOST_REQUIRE(it != t.table.services.end());
    return it->second;
}

std::map<std::string, int> weights(const dataplane::Service& s) {
    std::map<std::string, int> out;
    for (const auto& [k, d] : s.destinations)
        out[k.str()] = d.weight;
    return out;
}
} // namespace

BOOST_AUTO_TEST_CASE(all_up_is_the_configured_table) {
    auto c = parse(three_servers);
    Health h;
    auto v = health_view(c, h);
    BOOST_TEST(v.weights.empty());
    BOOST_TEST(v.removed.empty());
    BOOST_TEST((healthy_table(c, v).table == dataplane::desired_table(c).table));
}

BOOST_AUTO_TEST_CASE(down_servers_are_removed_or_inhibited) {
    auto c = parse(three_servers);
    Health h;
    h.servers[{0, 0}] = {false, 1};
    h.servers[{0, 1}] = {false, 2};
    h.servers[{0, 2}] = {true, 7}; // a dynamic weight
    h.servers[{1, 0}] = {false, 5};
    auto v = health_view(c, h);
    BOOST_TEST(v.removed.size() == 1u);
    BOOST_TEST(v.removed.count({0, 0}) == 1u);
    auto t = healthy_table(c, v);
    BOOST_TEST((weights(service(t, "10.0.0.1")) ==
                std::map<std::string, int>{{"10.0.1.2:80", 0}, {"10.0.1.3:80", 7}}));
    BOOST_TEST((weights(service(t, "10.0.0.2")) == std::map<std::string, int>{{"10.0.2.1:80", 0}}));
    BOOST_TEST(live_weight(c, h, 0) == 7);
}

BOOST_AUTO_TEST_CASE(sorry_server_replaces_the_real_servers_when_quorum_is_lost) {
    auto c = parse(three_servers);
    Health h;
    h.servers[{0, 0}] = {false, 1};
    h.servers[{0, 1}] = {false, 2};
    h.servers[{0, 2}] = {false, 3};
    h.quorum_up = {false, true};
    auto t = healthy_table(c, health_view(c, h));
    BOOST_TEST(
        (weights(service(t, "10.0.0.1")) == std::map<std::string, int>{{"10.0.9.9:8080", 1}}));
    // The second virtual server has no sorry server: quorum loss changes nothing there.
    h.quorum_up = {true, false};
    t = healthy_table(c, health_view(c, h));
    BOOST_TEST((weights(service(t, "10.0.0.2")) == std::map<std::string, int>{{"10.0.2.1:80", 5}}));
}

// ---- probes on loopback ----

BOOST_AUTO_TEST_CASE(tcp_probe_up_refused_and_bounded) {
    asio::io_context io;
    TestServer srv(io, TestServer::Mode::silent);
    std::optional<Result> r;
    tcp_probe(io, target(srv.endpoint()), [&](Result x) { r = x; });
    BOOST_REQUIRE(run_until(
        io, [&] { return r.has_value(); }, 5s));
    BOOST_TEST(r->ok);

    r.reset();
    tcp_probe(io, target({asio::ip::address_v4::loopback(), closed_port()}),
              [&](Result x) { r = x; });
    BOOST_REQUIRE(run_until(
        io, [&] { return r.has_value(); }, 5s));
    BOOST_TEST(!r->ok);
    BOOST_TEST_MESSAGE(r->reason);
}

// Grid timers fire in time order, not before their time and at most a tick or so after it;
// a cancelled, re-set or destroyed entry fires only as it last stood.
BOOST_AUTO_TEST_CASE(grid_timers_fire_in_order_and_honour_cancels) {
    asio::io_context io;
    GridTimers timers(io);
    using Clock = GridTimers::Clock;
    std::vector<std::pair<int, Clock::duration>> fired;
    auto start = Clock::now();
    struct Probe : GridTimers::Entry {
        Probe(int n, std::vector<std::pair<int, Clock::duration>>& f, Clock::time_point s)
            : id(n), out(f), from(s) {}
        void fired() override { out.emplace_back(id, Clock::now() - from); }
        int id;
        std::vector<std::pair<int, Clock::duration>>& out;
        Clock::time_point from;
    };
    Probe a(1, fired, start), b(2, fired, start), c(3, fired, start), d(4, fired, start);
    auto gone = std::make_unique<Probe>(5, fired, start);
    timers.set(b, start + 60ms);
    timers.set(a, start + 20ms);
    timers.set(c, start + 40ms);
    timers.set(d, start + 30ms);
    timers.set(*gone, start + 10ms);
    timers.set(c, start + 90ms); // moved later
    d.cancel();
    gone.reset();
    BOOST_TEST(a.pending());
    BOOST_TEST(!d.pending());
    BOOST_REQUIRE(run_until(
        io, [&] { return fired.size() == 3; }, 2s));
    io.restart();
    io.run_for(50ms);
    BOOST_REQUIRE(fired.size() == 3u);
    BOOST_TEST(fired[0].first == 1);
    BOOST_TEST(fired[1].first == 2);
    BOOST_TEST(fired[2].first == 3);
    for (auto [id, at] : fired) {
        auto due = id == 1 ? 20ms : id == 2 ? 60ms : 90ms;
        BOOST_TEST((at >= due), "entry " << id);
        BOOST_TEST((at < due + 200ms), "entry " << id);
    }
    BOOST_TEST(!a.pending());
}

// One pooled socket serves check after check, whatever the last one ended with: a connection
// (reset), a refusal, a timeout with a read pending, a TLS exchange.
BOOST_AUTO_TEST_CASE(pooled_socket_is_reused_after_every_ending) {
    asio::io_context io;
    auto ctx = make_client_tls_context();
    auto shared = std::make_shared<ProbeShared>(io);
    TestServer silent(io, TestServer::Mode::silent);
    TestServer web(io, TestServer::Mode::respond);
    TestServer tls_web(io, TestServer::Mode::respond, true);
    auto tcp_check = [&](tcp::endpoint ep) {
        std::optional<Result> r;
        tcp_probe(
            io, target(ep), [&](Result x) { r = x; }, shared);
        BOOST_REQUIRE(run_until(
            io, [&] { return r.has_value(); }, 5s));
        return *r;
    };
    auto http_check = [&](tcp::endpoint ep, bool tls, Duration timeout) {
        std::optional<HttpReply> r;
        HttpRequest req;
        req.tls = tls;
        http_probe(
            io, ctx, target(ep, timeout), req, [&](const HttpReply& x) { r = x; }, shared);
        BOOST_REQUIRE(run_until(
            io, [&] { return r.has_value(); }, 5s));
        return *r;
    };
    for (int round = 0; round < 2; ++round) {
        BOOST_TEST(tcp_check(silent.endpoint()).ok);
        BOOST_TEST(shared->sockets.idle() == 1u);
        BOOST_TEST(!tcp_check({asio::ip::address_v4::loopback(), closed_port()}).ok);
        BOOST_TEST(shared->sockets.idle() == 1u);
        auto r = http_check(web.endpoint(), false, 2s);
        BOOST_TEST(r.ok);
        BOOST_TEST(r.status == 200);
        BOOST_TEST(!http_check(silent.endpoint(), false, 200ms).ok); // times out reading
        BOOST_TEST(shared->sockets.idle() == 1u);
        // The request waits for the connection: a refusal is the connect's, not the write's.
        r = http_check({asio::ip::address_v4::loopback(), closed_port()}, false, 2s);
        BOOST_TEST(!r.ok);
        BOOST_TEST(r.error.rfind("connect: ", 0) == 0, r.error);
        BOOST_TEST(shared->sockets.idle() == 1u);
        r = http_check(tls_web.endpoint(), true, 2s);
        BOOST_TEST(r.ok);
        BOOST_TEST(r.status == 200);
        BOOST_TEST(shared->sockets.idle() == 1u);
    }
    BOOST_TEST(web.requests == 2);
}

BOOST_AUTO_TEST_CASE(http_status_and_digest) {
    asio::io_context io;
    auto ctx = make_client_tls_context();
    TestServer srv(io, TestServer::Mode::respond);
    srv.body = "hello\n";
    HttpRequest req;
    req.path = "/healthz";
    req.host = "www.example.test";
    auto f = fetch(io, ctx, target(srv.endpoint()), req);
    BOOST_TEST(f.reply->ok);
    BOOST_TEST(f.reply->status == 200);
    BOOST_TEST(f.reply->digest == md5_hex("hello\n"));
    BOOST_TEST(f.reply->body_size == 6u);
    BOOST_TEST(srv.last_host == "www.example.test");

    srv.status = 503;
    f = fetch(io, ctx, target(srv.endpoint()), req);
    BOOST_TEST(f.reply->ok); // a whole answer; the checker judges the status
    BOOST_TEST(f.reply->status == 503);
}

BOOST_AUTO_TEST_CASE(http_with_bind_port_checks_again_at_once) {
    // A probe's socket of its own (bind_port) ends with a RST, as pooled ones do: a FIN would
    // leave it in TIME_WAIT, and the next check's bind to that port would fail for a minute.
    asio::io_context io;
    auto ctx = make_client_tls_context();
    TestServer srv(io, TestServer::Mode::respond);
    srv.keep_open = true; // so that the checker closes first
    auto t = target(srv.endpoint());
    t.bind = tcp::endpoint(asio::ip::address_v4::loopback(), closed_port());
    for (int i = 0; i < 2; ++i) {
        auto f = fetch(io, ctx, t, HttpRequest{});
        BOOST_TEST(f.reply->ok, "check " << i << ": " << f.reply->error);
    }
}

BOOST_AUTO_TEST_CASE(http_listener_that_never_answers_times_out) {
    asio::io_context io;
    auto ctx = make_client_tls_context();
    TestServer srv(io, TestServer::Mode::silent);
    auto f = fetch(io, ctx, target(srv.endpoint(), 300ms), HttpRequest{});
    BOOST_TEST(!f.reply->ok);
    BOOST_TEST_MESSAGE(f.reply->error);
    BOOST_TEST((f.took >= Duration(250ms) && f.took < Duration(2s)));
}

BOOST_AUTO_TEST_CASE(tls_handshake_that_never_finishes_times_out) {
    asio::io_context io;
    auto ctx = make_client_tls_context();
    TestServer srv(io, TestServer::Mode::silent);
    HttpRequest req;
    req.tls = true;
    auto f = fetch(io, ctx, target(srv.endpoint(), 300ms), req);
    BOOST_TEST(!f.reply->ok);
    BOOST_TEST(f.reply->error.find("TLS handshake") != std::string::npos, f.reply->error);
    BOOST_TEST((f.took < Duration(2s)));
}

BOOST_AUTO_TEST_CASE(endless_body_ends_at_the_cap_or_the_deadline) {
    asio::io_context io;
    auto ctx = make_client_tls_context();
    TestServer srv(io, TestServer::Mode::endless);
    HttpRequest req;
    req.body_limit = 256 * 1024;
    auto f = fetch(io, ctx, target(srv.endpoint(), 3s), req);
    BOOST_TEST(!f.reply->ok);
    BOOST_TEST(f.reply->error.find("body larger") != std::string::npos, f.reply->error);
    // Without a cap worth the name, the deadline ends it.
    req.body_limit = size_t(1) << 40;
    f = fetch(io, ctx, target(srv.endpoint(), 300ms), req);
    BOOST_TEST(!f.reply->ok);
    BOOST_TEST((f.took < Duration(2s)));
}

BOOST_AUTO_TEST_CASE(garbage_instead_of_http_fails_at_once) {
    asio::io_context io;
    auto ctx = make_client_tls_context();
    TestServer srv(io, TestServer::Mode::garbage);
    auto f = fetch(io, ctx, target(srv.endpoint(), 2s), HttpRequest{});
    BOOST_TEST(!f.reply->ok);
    BOOST_TEST_MESSAGE(f.reply->error);
    BOOST_TEST((f.took < Duration(1s)));
}

BOOST_AUTO_TEST_CASE(ssl_get_status_and_digest) {
    asio::io_context io;
    auto ctx = make_client_tls_context();
    TestServer srv(io, TestServer::Mode::respond, true);
    srv.body = "secure\n";
    HttpRequest req;
    req.tls = true;
    req.sni = "localhost";
    req.host = "localhost";
    auto f = fetch(io, ctx, target(srv.endpoint()), req);
    BOOST_TEST(f.reply->ok, f.reply->error);
    BOOST_TEST(f.reply->status == 200);
    BOOST_TEST(f.reply->digest == md5_hex("secure\n"));
}

BOOST_AUTO_TEST_CASE(plain_http_to_a_tls_server_fails_in_time) {
    asio::io_context io;
    auto ctx = make_client_tls_context();
    TestServer srv(io, TestServer::Mode::respond, true);
    auto f = fetch(io, ctx, target(srv.endpoint(), 1s), HttpRequest{});
    BOOST_TEST(!f.reply->ok);
}

// ---- CheckerSet end to end ----

BOOST_AUTO_TEST_CASE(checker_set_follows_the_servers) {
    asio::io_context io;
    TestServer web(io, TestServer::Mode::respond);
    web.body = "alive\n";
    TestServer tcp_only(io, TestServer::Mode::silent);
    TempDir dir;
    auto script = dir.path / "weight.sh";
    auto code_file = dir.path / "code";
    {
        std::ofstream(code_file) << "5\n";
        std::ofstream(script) << "#!/bin/sh\nexit $(cat " << code_file.string() << ")\n";
        fs::permissions(script, fs::perms(0755));
        fs::permissions(code_file, fs::perms(0644));
    }
    std::string text = R"(
global_defs {
  script_user nobody
}
virtual_server 127.0.0.1 80 {
  delay_loop 0.1
  lb_kind NAT
  real_server 127.0.0.1 )" +
                       std::to_string(web.port()) +
                       R"( {
    weight 2
    HTTP_GET {
      url {
        path /healthz
        digest )" + md5_hex("alive\n") +
                       R"(
      }
      connect_timeout 0.5
      retry 0
    }
  }
  real_server 127.0.0.2 )" +
                       std::to_string(tcp_only.port()) +
                       R"( {
    inhibit_on_failure
    TCP_CHECK {
      connect_ip 127.0.0.1
      connect_timeout 0.5
      retry 1
      delay_before_retry 0.05
    }
  }
  real_server 127.0.0.3 80 {
    weight 1
    MISC_CHECK {
      misc_path ")" + script.string() +
                       R"("
      misc_timeout 2
      misc_dynamic
    }
  }
}
)";
    auto cfg = parse(text);
    notify::ScriptRunner runner(io, cfg.global_defs);
    std::vector<std::tuple<size_t, bool, int>> changes;
    CheckerSet set(io, cfg, runner, [&](const RealServerRef& r, bool up, int w) {
        changes.emplace_back(r.real_server, up, w);
    });
    BOOST_TEST(set.size() == 3u);
    BOOST_TEST(set.notes().empty());
    set.start();
    auto health_of = [&](size_t ri) { return set.health().servers.at({0, ri}); };

    // misc_dynamic: exit 5 → weight 3.
    BOOST_REQUIRE(run_until(
        io, [&] { return health_of(2).weight == 3; }, 5s));
    BOOST_TEST(health_of(0).up);
    BOOST_TEST(health_of(1).up);
    BOOST_TEST(web.requests > 0);

    // Wrong digest → down (removed); right again → up.
    web.body = "changed\n";
    BOOST_REQUIRE(run_until(
        io, [&] { return !health_of(0).up; }, 5s));
    BOOST_TEST(set.view().removed.count({0, 0}) == 1u);
    web.body = "alive\n";
    BOOST_REQUIRE(run_until(
        io, [&] { return health_of(0).up; }, 5s));

    // Wrong status → down.
    web.status = 500;
    BOOST_REQUIRE(run_until(
        io, [&] { return !health_of(0).up; }, 5s));
    web.status = 200;
    BOOST_REQUIRE(run_until(
        io, [&] { return health_of(0).up; }, 5s));

    // The TCP listener goes away → down, inhibited (weight 0); comes back → up.
    tcp_only.close();
    BOOST_REQUIRE(run_until(
        io, [&] { return !health_of(1).up; }, 5s));
    auto v = set.view();
    BOOST_TEST(v.weights.at({0, 1}) == 0);
    auto table = set.table();
    BOOST_TEST(table.table.services.begin()->second.destinations.size() == 3u);
    tcp_only.reopen();
    BOOST_REQUIRE(run_until(
        io, [&] { return health_of(1).up; }, 5s));

    // exit 1 → down.
    std::ofstream(code_file) << "1\n";
    BOOST_REQUIRE(run_until(
        io, [&] { return !health_of(2).up; }, 5s));
    BOOST_TEST(!changes.empty());
    set.stop();
}

// The configuration's check warns about them (director_config_test); the set runs none.
BOOST_AUTO_TEST_CASE(unsupported_checkers_leave_the_server_up) {
    asio::io_context io;
    auto cfg = parse(R"(
virtual_server 10.0.0.1 80 {
  real_server 10.0.1.1 80 {
    SMTP_CHECK {
    }
  }
}
)");
    notify::ScriptRunner runner(io, cfg.global_defs);
    CheckerSet set(io, cfg, runner, nullptr);
    BOOST_TEST(set.size() == 0u);
    BOOST_TEST(set.notes().empty());
    BOOST_TEST(set.health().servers.at({0, 0}).up);
}

BOOST_AUTO_TEST_CASE(checker_set_scripts_virtualhost_and_bindto) {
    asio::io_context io;
    TestServer web(io, TestServer::Mode::respond);
    MarkScript m;
    auto script = [&](const std::string& arg) { return m.script(arg); };
    std::string text = R"(
global_defs {
  script_user nobody
}
virtual_server 127.0.0.1 80 {
  delay_loop 0.1
  virtualhost vs.example.test
  quorum 1
  quorum_up )" + script("quorum_up") +
                       R"(
  quorum_down )" + script("quorum_down") +
                       R"(
  real_server 127.0.0.1 )" +
                       std::to_string(web.port()) +
                       R"( {
    notify_up )" + script("up") +
                       R"(
    notify_down )" + script("down") +
                       R"(
    HTTP_GET {
      url {
        path /
      }
      bindto 127.0.0.2
      connect_timeout 0.5
      retry 0
    }
  }
}
)";
    auto cfg = parse(text);
    notify::ScriptRunner runner(io, cfg.global_defs);
    std::vector<std::pair<size_t, bool>> quorum;
    CheckerSet set(io, cfg, runner, nullptr);
    set.on_quorum([&](size_t vi, bool up) { quorum.emplace_back(vi, up); });
    set.start();
    auto read_marks = [&] { return m.marks(); };
    BOOST_REQUIRE(run_until(
        io, [&] { return web.requests > 0; }, 5s));
    BOOST_TEST(web.last_host == "vs.example.test");
    BOOST_TEST(web.last_peer == "127.0.0.2");
    BOOST_TEST(read_marks().empty()); // no scripts for the initial state

    web.status = 500;
    BOOST_REQUIRE(run_until(
        io, [&] { return read_marks().size() == 2; }, 5s));
    BOOST_TEST((read_marks() == std::set<std::string>{"down", "quorum_down"}));
    BOOST_TEST(set.health().quorum_up.at(0) == false);
    web.status = 200;
    BOOST_REQUIRE(run_until(
        io, [&] { return read_marks().size() == 4; }, 5s));
    BOOST_TEST((read_marks() == std::set<std::string>{"down", "quorum_down", "up", "quorum_up"}));
    BOOST_TEST((quorum == std::vector<std::pair<size_t, bool>>{{0, false}, {0, true}}));
    set.stop();
    BOOST_REQUIRE(run_until(
        io, [&] { return runner.running() == 0; }, 5s));
}

BOOST_AUTO_TEST_CASE(omega_runs_notify_down_and_quorum_down_at_shutdown) {
    asio::io_context io;
    MarkScript m;
    auto script = [&](const std::string& arg) { return m.script(arg); };
    // Without checkers a real server is up; with alpha its checker starts it down. The first
    // virtual server keeps its quorum (1), the second has lost it (100), the third has no omega.
    auto cfg = parse("global_defs {\n  script_user nobody\n}\n"
                     "virtual_server 10.0.0.1 80 {\n  omega\n  quorum_down " +
                     script("quorum_down") + "\n  real_server 10.0.1.1 80 {\n    notify_down " +
                     script("up-one") + "\n  }\n  real_server 10.0.1.2 80 {\n    notify_down " +
                     script("down-one") +
                     "\n    TCP_CHECK {\n      alpha\n    }\n  }\n  real_server 10.0.1.3 80\n}\n" +
                     "virtual_server 10.0.0.2 80 {\n  omega\n  quorum 100\n  quorum_down " +
                     script("lost-already") + "\n  real_server 10.0.1.5 80\n}\n" +
                     "virtual_server 10.0.0.3 80 {\n  quorum_down " + script("not-omega") +
                     "\n  real_server 10.0.1.4 80 {\n    notify_down " + script("not-omega") +
                     "\n  }\n}\n");
    notify::ScriptRunner runner(io, cfg.global_defs), omega(io, cfg.global_defs);
    CheckerSet set(io, cfg, runner, nullptr);
    BOOST_REQUIRE(!set.health().servers.at({0, 1}).up);
    BOOST_TEST(set.notify_shutdown(omega) == 2u);
    BOOST_TEST(runner.running() == 0u); // on the runner it was given
    BOOST_REQUIRE(run_until(
        io, [&] { return omega.running() == 0; }, 5s));
    BOOST_TEST((m.marks() == std::set<std::string>{"up-one", "quorum_down"}));
}

BOOST_AUTO_TEST_CASE(stop_and_start_again) {
    asio::io_context io;
    TestServer srv(io, TestServer::Mode::silent);
    auto cfg = parse(R"(
virtual_server 127.0.0.1 80 {
  delay_loop 0.05
  real_server 127.0.0.1 )" +
                     std::to_string(srv.port()) +
                     R"( {
    TCP_CHECK {
      connect_timeout 0.5
    }
  }
}
)");
    notify::ScriptRunner runner(io, cfg.global_defs);
    int results = 0;
    CheckerSet set(io, cfg, runner, nullptr);
    set.on_result([&](const CheckerId&, const Result& r, const CheckState&) {
        BOOST_TEST(r.ok);
        ++results;
    });
    set.start();
    BOOST_REQUIRE(run_until(
        io, [&] { return results >= 3; }, 5s));
    set.stop();
    int at_stop = results;
    run_until(
        io, [] { return false; }, 200ms);
    BOOST_TEST(results == at_stop);
    set.start();
    BOOST_REQUIRE(run_until(
        io, [&] { return results >= at_stop + 3; }, 5s));
}

BOOST_AUTO_TEST_CASE(keepalived_defaults_and_warmup) {
    asio::io_context io;
    auto cfg = parse(R"(
virtual_server 10.0.0.1 80 {
  delay_loop 10
  alpha
  real_server 10.0.1.1 80 {
    HTTP_GET {
      url {
        path /
      }
    }
    TCP_CHECK {
      warmup 0
    }
    MISC_CHECK {
      misc_path /bin/true
    }
  }
  real_server 10.0.1.2 80 {
    TCP_CHECK {
      retry 4
      delay_before_retry 0.5
      delay_loop 2
      warmup 1
    }
  }
}
)");
    notify::ScriptRunner runner(io, cfg.global_defs);
    CheckerSet set(io, cfg, runner, nullptr);
    BOOST_REQUIRE(set.size() == 4u);
    const auto& http = set.state({{0, 0}, 0})->timing();
    BOOST_TEST((http.delay_loop == Duration(10s)));
    BOOST_TEST((http.delay_before_retry == Duration(3s)));
    BOOST_TEST(http.retry == 1);
    BOOST_TEST(http.alpha);
    BOOST_TEST(!set.state({{0, 0}, 0})->up()); // alpha: down until a success
    BOOST_TEST(!set.health().servers.at({0, 0}).up);
    const auto& tcp_t = set.state({{0, 0}, 1})->timing();
    BOOST_TEST((tcp_t.delay_before_retry == Duration(1s)));
    BOOST_TEST((*set.first_delay({{0, 0}, 1}) == Duration::zero())); // warmup 0
    BOOST_TEST(set.state({{0, 0}, 2})->timing().retry == 0);         // MISC_CHECK
    const auto& own = set.state({{0, 1}, 0})->timing();
    BOOST_TEST(own.retry == 4);
    BOOST_TEST((own.delay_before_retry == Duration(500ms)));
    BOOST_TEST((own.delay_loop == Duration(2s)));
    BOOST_TEST((*set.first_delay({{0, 1}, 0}) <= Duration(1s)));
    // Without warmup the first checks spread over delay_loop.
    BOOST_TEST((*set.first_delay({{0, 0}, 0}) <= Duration(10s)));
    BOOST_TEST((*set.first_delay({{0, 0}, 2}) > Duration::zero()));
    BOOST_TEST(set.state({{0, 0}, 3}) == nullptr);
}

BOOST_AUTO_TEST_CASE(ipv6_real_server) {
    asio::io_context io;
    error_code ec;
    tcp::acceptor a(io);
    a.open(tcp::v6(), ec);
    if (!ec)
        a.bind({asio::ip::address_v6::loopback(), 0}, ec);
    if (!ec)
        a.listen(16, ec);
    if (ec) {
        BOOST_TEST_MESSAGE("no IPv6 loopback here: " << ec.message());
        return;
    }
    auto cfg = parse(R"(
virtual_server fd00::1 80 {
  delay_loop 0.1
  real_server ::1 )" +
                     std::to_string(a.local_endpoint().port()) +
                     R"( {
    TCP_CHECK {
      connect_timeout 0.5
    }
  }
}
)");
    notify::ScriptRunner runner(io, cfg.global_defs);
    std::optional<Result> seen;
    CheckerSet set(io, cfg, runner, nullptr);
    set.on_result([&](const CheckerId&, const Result& r, const CheckState&) { seen = r; });
    set.start();
    BOOST_REQUIRE(run_until(
        io, [&] { return seen.has_value(); }, 5s));
    BOOST_TEST(seen->ok, seen->reason);
}

namespace {
// Runs `set` until its first real server is down, then stops it: the set a reload replaces.
void run_until_first_server_down(asio::io_context& io, CheckerSet& set) {
    set.start();
    BOOST_REQUIRE(run_until(
        io,
        [&] {
            return !set.health().servers.at({0, 0}).up;
        },
        5s));
    set.stop();
}
} // namespace

BOOST_AUTO_TEST_CASE(reload_inherits_the_verdicts) {
    asio::io_context io;
    auto text = [](const std::string& extra) {
        return R"(
virtual_server 127.0.0.1 80 {
  delay_loop 0.05
  sorry_server 127.0.0.9 80
  real_server 127.0.0.1 )" +
               std::to_string(closed_port()) + R"( {
    TCP_CHECK {
      connect_timeout 0.5
      retry 0
    }
  }
)" + extra + "}\n";
    };
    auto cfg = parse(text(""));
    notify::ScriptRunner runner(io, cfg.global_defs);
    CheckerSet old(io, cfg, runner, nullptr);
    run_until_first_server_down(io, old);
    BOOST_TEST(!old.health().quorum_up.at(0));

    // The same server in a new config with one more real server: still down, quorum kept.
    auto cfg2 = cfg;
    cfg2.virtual_servers[0].real_servers.push_back(cfg.virtual_servers[0].real_servers[0]);
    cfg2.virtual_servers[0].real_servers.back().port = 1;
    cfg2.virtual_servers[0].real_servers.back().checkers.clear();
    cfg2.virtual_servers[0].quorum = 2;
    CheckerSet fresh(io, cfg2, runner, nullptr);
    BOOST_TEST(fresh.health().servers.at({0, 0}).up);
    fresh.inherit(old);
    BOOST_TEST(!fresh.health().servers.at({0, 0}).up);
    BOOST_TEST(fresh.health().servers.at({0, 1}).up);
    BOOST_TEST(!fresh.health().quorum_up.at(0)); // live weight 1 < quorum 2
}

// A quorum held up by its hysteresis stays up across a reload that changes nothing.
BOOST_AUTO_TEST_CASE(reload_keeps_a_quorum_held_by_hysteresis) {
    asio::io_context io;
    auto cfg = parse(R"(
virtual_server 127.0.0.1 80 {
  delay_loop 0.05
  quorum 2
  hysteresis 1
  sorry_server 127.0.0.9 80
  real_server 127.0.0.1 )" +
                     std::to_string(closed_port()) +
                     R"( {
    TCP_CHECK {
      connect_timeout 0.5
      retry 0
    }
  }
  real_server 127.0.0.2 80 {
  }
}
)");
    notify::ScriptRunner runner(io, cfg.global_defs);
    CheckerSet old(io, cfg, runner, nullptr);
    run_until_first_server_down(io, old);
    BOOST_TEST(old.health().quorum_up.at(0)); // live weight 1, not below quorum 2 - 1
    CheckerSet fresh(io, cfg, runner, nullptr);
    fresh.inherit(old);
    BOOST_TEST(fresh.health().quorum_up.at(0));
    // New settings that move it are applied: quorum 3 - hysteresis 1 > live weight 1.
    auto cfg3 = cfg;
    cfg3.virtual_servers[0].quorum = 3;
    CheckerSet moved(io, cfg3, runner, nullptr);
    moved.inherit(old);
    BOOST_TEST(!moved.health().quorum_up.at(0));
}

// A reloaded checker runs when it was due, not a whole first delay later: reloads more frequent
// than delay_loop must not keep it from ever running.
BOOST_AUTO_TEST_CASE(reload_keeps_when_each_checker_was_due) {
    asio::io_context io;
    auto cfg = parse(R"(
virtual_server 127.0.0.1 80 {
  delay_loop 60
  real_server 127.0.0.1 81 {
    TCP_CHECK {
    }
  }
  real_server 127.0.0.2 81 {
    TCP_CHECK {
    }
  }
}
)");
    notify::ScriptRunner runner(io, cfg.global_defs);
    CheckerSet old(io, cfg, runner, nullptr);
    CheckerId late{{0, 1}, 0};
    BOOST_REQUIRE(*old.first_delay(late) > Duration(10s)); // the spread puts it well into the loop
    old.start();
    std::this_thread::sleep_for(200ms);
    old.stop();
    CheckerSet fresh(io, cfg, runner, nullptr);
    fresh.inherit(old);
    BOOST_TEST((*fresh.first_delay(late) <= *old.first_delay(late) - Duration(150ms)));
    BOOST_TEST((*fresh.first_delay(late) > Duration::zero()));
}

// A TCP and a UDP service on one address and port are two services to a reload.
BOOST_AUTO_TEST_CASE(reload_tells_tcp_and_udp_services_apart) {
    asio::io_context io;
    tcp::acceptor open_port(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    open_port.listen();
    auto service = [](const std::string& protocol, uint16_t check_port) {
        return "virtual_server 127.0.0.1 53 {\n  delay_loop 0.05\n  protocol " + protocol +
               "\n  real_server 127.0.0.1 53 {\n    TCP_CHECK {\n      connect_port " +
               std::to_string(check_port) + "\n      connect_timeout 0.5\n      retry 0\n" +
               "    }\n  }\n}\n";
    };
    auto cfg =
        parse(service("TCP", closed_port()) + service("UDP", open_port.local_endpoint().port()));
    notify::ScriptRunner runner(io, cfg.global_defs);
    CheckerSet old(io, cfg, runner, nullptr);
    int results = 0;
    old.on_result([&](const CheckerId&, const Result&, const CheckState&) { ++results; });
    old.start();
    BOOST_REQUIRE(run_until(
        io,
        [&] {
            return results >= 4 && !old.health().servers.at({0, 0}).up;
        },
        5s));
    old.stop();
    BOOST_TEST(old.health().servers.at({1, 0}).up);
    CheckerSet fresh(io, cfg, runner, nullptr);
    fresh.inherit(old);
    BOOST_TEST(!fresh.health().servers.at({0, 0}).up);
    BOOST_TEST(fresh.health().servers.at({1, 0}).up);
}

// ---- AGENT_CHECK: HAProxy's agent-check text, pulled ----
BOOST_AUTO_TEST_CASE(agent_text_words) {
    auto t = parse_agent_text("up");
    BOOST_TEST(!agent_down(t));
    BOOST_TEST(agent_weight(t, 10) == 10);
    BOOST_TEST(agent_weight(parse_agent_text("READY"), 10) == 10);
    BOOST_TEST(agent_weight(parse_agent_text("drain"), 10) == 0);
    BOOST_TEST(!agent_down(parse_agent_text("drain")));
    BOOST_TEST(agent_weight(parse_agent_text("up 50%"), 10) == 5);
    BOOST_TEST(agent_weight(parse_agent_text("75%"), 4) == 3);
    BOOST_TEST(agent_weight(parse_agent_text("ready,up,25%"), 8) == 2);
    BOOST_TEST(agent_weight(parse_agent_text("up\tdrain"), 8) == 0);
    BOOST_TEST(agent_weight(parse_agent_text("maxconn:30 up"), 8) == 8); // unknown skipped
    for (const char* down :
         {"down", "maint", "stopped", "fail", "up down", "down #disk full", "Fail,#x"}) {
        BOOST_TEST(agent_down(parse_agent_text(down)), down);
        BOOST_TEST(agent_weight(parse_agent_text(down), 8) == 0, down);
    }
    auto r = parse_agent_text("down #nginx not listening ");
    BOOST_TEST(r.reason == "nginx not listening");
    // Nothing known: down, so that garbage never passes for health.
    for (const char* junk : {"", "   ", "SSH-2.0-OpenSSH", "150%", "x%", "#up"})
        BOOST_TEST(agent_down(parse_agent_text(junk)), junk);
}

BOOST_AUTO_TEST_CASE(agent_result_is_the_report_mapping) {
    auto r = agent_result("drain", 5);
    BOOST_TEST(r.ok);
    BOOST_TEST(r.weight.value() == 0);
    r = agent_result("up", 5);
    BOOST_TEST(r.ok);
    BOOST_TEST(r.weight.value() == 5);
    r = agent_result("up 40%", 5);
    BOOST_TEST(r.weight.value() == 2);
    r = agent_result("down #maintenance", 5);
    BOOST_TEST(!r.ok);
    BOOST_TEST(r.reason.find("maintenance") != std::string::npos);
    BOOST_TEST(!agent_result("garbage", 5).ok);
}

namespace {

// Answers every connection with `reply`; `hold` keeps the connection open afterwards.
struct AgentServer {
    AgentServer(asio::io_context& io, std::string r, bool h)
        : acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0)), reply(std::move(r)),
          hold(h) {
        accept();
    }
    void accept() {
        acceptor.async_accept([this](error_code ec, tcp::socket s) {
            if (ec)
                return;
            auto sock = std::make_shared<tcp::socket>(std::move(s));
            asio::async_write(*sock, asio::buffer(reply), [this, sock](error_code, size_t) {
                error_code ignored;
                if (hold)
                    held.push_back(sock);
                else
                    sock->shutdown(tcp::socket::shutdown_both, ignored);
            });
            accept();
        });
    }
    tcp::endpoint endpoint() const { return acceptor.local_endpoint(); }
    tcp::acceptor acceptor;
    std::string reply;
    bool hold;
    std::vector<std::shared_ptr<tcp::socket>> held;
};

struct AgentAsk {
    AgentReply reply;
    Duration took{};
};

AgentAsk ask(asio::io_context& io, const ProbeTarget& t) {
    std::optional<AgentReply> r;
    auto start = std::chrono::steady_clock::now();
    agent_probe(io, t, 512, [&](AgentReply x) { r = x; });
    BOOST_REQUIRE(run_until(
        io, [&] { return r.has_value(); }, 10s));
    return {*r, std::chrono::steady_clock::now() - start};
}

} // namespace

BOOST_AUTO_TEST_CASE(agent_probe_reads_one_bounded_line) {
    asio::io_context io;
    AgentServer drain(io, "drain\r\nignored\n", false);
    auto a = ask(io, target(drain.endpoint()));
    BOOST_TEST(a.reply.ok);
    BOOST_TEST(a.reply.line == "drain");

    AgentServer unterminated(io, "up 50%", false); // closes after an unterminated line
    a = ask(io, target(unterminated.endpoint()));
    BOOST_TEST(a.reply.ok);
    BOOST_TEST(a.reply.line == "up 50%");

    AgentServer endless(io, std::string(4096, 'u'), true);
    a = ask(io, target(endless.endpoint(), 2s));
    BOOST_TEST(!a.reply.ok);
    BOOST_TEST(a.reply.error.find("longer than 512") != std::string::npos, a.reply.error);
    BOOST_TEST((a.took < Duration(1s)));

    AgentServer trickle(io, "up", true); // never ends its line: the deadline does
    a = ask(io, target(trickle.endpoint(), 300ms));
    BOOST_TEST(!a.reply.ok);
    BOOST_TEST(a.reply.error.find("timed out") != std::string::npos, a.reply.error);
    BOOST_TEST((a.took >= Duration(250ms) && a.took < Duration(2s)));

    a = ask(io, target({asio::ip::address_v4::loopback(), closed_port()}));
    BOOST_TEST(!a.reply.ok);
    BOOST_TEST_MESSAGE(a.reply.error);
}

BOOST_AUTO_TEST_CASE(checker_set_agent_check_drains_and_restores) {
    asio::io_context io;
    AgentServer agent(io, "drain\n", false);
    auto cfg = parse(R"(
virtual_server 127.0.0.1 80 {
  lb_kind DR
  real_server 127.0.0.1 80 {
    weight 4
    AGENT_CHECK {
      connect_port )" +
                     std::to_string(agent.endpoint().port()) +
                     R"(
      connect_timeout 0.5
      delay_loop 0.05
      retry 0
    }
  }
}
)");
    notify::ScriptRunner runner(io, cfg.global_defs);
    CheckerSet set(io, cfg, runner, nullptr, CheckerSetOptions{1 << 20, Duration(0)});
    BOOST_REQUIRE(set.size() == 1u);
    set.start();
    auto health = [&] { return set.health().servers.at({0, 0}); };
    BOOST_TEST(run_until(
        io, [&] { return health().up && health().weight == 0; }, 5s));
    agent.reply = "up 50%\n";
    BOOST_TEST(run_until(
        io, [&] { return health().up && health().weight == 2; }, 5s));
    agent.reply = "ready\n";
    BOOST_TEST(run_until(
        io, [&] { return health().up && health().weight == 4; }, 5s));
    agent.reply = "maint #upgrading\n";
    BOOST_TEST(run_until(
        io, [&] { return !health().up; }, 5s));
    set.stop();
}
