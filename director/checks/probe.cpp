#include "director/checks/probe.h"

#include "director/checks/response_parser.h"

#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <openssl/ssl.h>

#include <sys/socket.h>

#include <memory>
#include <sstream>

namespace lvsd::director::checks {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

// The socket of one probe: from the pool when the target sets no socket options, else opened
// for it; given back or closed at the end.
struct ProbeSocket {
    ProbeSocket(asio::io_context& io, std::shared_ptr<ProbeShared> s)
        : sock(io), shared(std::move(s)) {}

    // Opens the socket for `t`: family, SO_MARK, SO_BINDTODEVICE, bind. Returns what failed.
    std::optional<std::string> open(const ProbeTarget& t);
    // Ends the connection: a pooled socket goes back to the pool (see SocketPool::give);
    // another one is closed with a RST, as the pool does: no FIN exchange, and no TIME_WAIT
    // per check (which a bind_port would run into at the next check).
    void release(const ProbeTarget& t);

    tcp::socket sock;
    std::shared_ptr<ProbeShared> shared;
    bool pooled = false;
};

std::optional<std::string> ProbeSocket::open(const ProbeTarget& t) {
    error_code ec;
    if (t.fwmark == 0 && t.bind_if.empty() && !t.bind) {
        sock = shared->sockets.take(t.endpoint.protocol(), ec);
        pooled = !ec;
        return ec ? std::optional<std::string>("socket: " + ec.message()) : std::nullopt;
    }
    sock.open(t.endpoint.protocol(), ec);
    if (ec)
        return "socket: " + ec.message();
    if (t.fwmark != 0) {
        unsigned mark = t.fwmark;
        if (::setsockopt(sock.native_handle(), SOL_SOCKET, SO_MARK, &mark, sizeof mark) != 0)
            return "SO_MARK: " + error_code(errno, boost::system::system_category()).message();
    }
    if (!t.bind_if.empty() &&
        ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_BINDTODEVICE, t.bind_if.data(),
                     static_cast<socklen_t>(t.bind_if.size())) != 0)
        return "SO_BINDTODEVICE " + t.bind_if + ": " +
               error_code(errno, boost::system::system_category()).message();
    if (t.bind) {
        sock.bind(*t.bind, ec);
        if (ec)
            return "bind: " + ec.message();
    }
    return std::nullopt;
}

// Starts a non-blocking connect and does not wait for it: for an op that writes first, whose
// write completes once the connection is up. Waiting for the connect on its own (asio's
// async_connect) costs an epoll_ctl, a poll and a getsockopt more per check.
std::optional<std::string> start_connect(tcp::socket& s, const tcp::endpoint& ep) {
    error_code ec;
    if (!s.non_blocking())
        s.non_blocking(true, ec);
    if (!ec && ::connect(s.native_handle(), ep.data(), static_cast<socklen_t>(ep.size())) != 0 &&
        errno != EINPROGRESS)
        ec.assign(errno, boost::system::system_category());
    if (ec)
        return "connect: " + ec.message();
    return std::nullopt;
}

// What only a connect can fail with: how a write that waited for the connection tells.
bool connect_error(const error_code& ec) {
    return ec == asio::error::connection_refused || ec == asio::error::timed_out ||
           ec == asio::error::host_unreachable || ec == asio::error::network_unreachable;
}

void ProbeSocket::release(const ProbeTarget& t) {
    error_code ignored;
    if (pooled)
        return shared->sockets.give(std::move(sock), t.endpoint.protocol());
    sock.set_option(asio::socket_base::linger(true, 0), ignored);
    sock.close(ignored); // aborts whatever is pending
}

// A probe in flight always has an asio operation pending whose handler holds it, so it
// outlives its deadline firing (GridTimers::Entry::fired).
struct TcpOp : GridTimers::Entry, std::enable_shared_from_this<TcpOp> {
    TcpOp(asio::io_context& io, std::shared_ptr<ProbeShared> shared, ProbeTarget t,
          std::function<void(Result)> cb)
        : ps(io, std::move(shared)), target(std::move(t)), done(std::move(cb)) {}

    void start() {
        if (auto err = ps.open(target))
            return asio::post(ps.sock.get_executor(),
                              [self = shared_from_this(), e = *err] { self->finish(false, e); });
        ps.shared->timers.set(*this, GridTimers::Clock::now() + target.timeout);
        ps.sock.async_connect(target.endpoint, [self = shared_from_this()](error_code ec) {
            self->finish(!ec, ec ? "connect: " + ec.message() : "connected");
        });
    }

    void fired() override { finish(false, "connect timed out"); }

    void finish(bool ok, const std::string& why) {
        if (finished)
            return;
        finished = true;
        cancel();
        ps.release(target);
        done(Result{ok, std::nullopt, why});
    }

    ProbeSocket ps;
    ProbeTarget target;
    std::function<void(Result)> done;
    bool finished = false;
};

// What the agent and HTTP probes share: the socket, the deadline over the whole exchange, the
// connect, and one ending. Derived ops call begin() and implement connected().
template <class Reply> struct ExchangeOp : GridTimers::Entry {
    ExchangeOp(asio::io_context& io, std::shared_ptr<ProbeShared> shared, ProbeTarget t,
               std::function<void(Reply)> cb)
        : ps(io, std::move(shared)), sock(ps.sock), target(std::move(t)), done(std::move(cb)) {}

    template <class Self> static void begin(const std::shared_ptr<Self>& self) {
        if (auto err = self->ps.open(self->target))
            return asio::post(self->sock.get_executor(), [self, e = *err] { self->fail(e); });
        self->ps.shared->timers.set(*self, GridTimers::Clock::now() + self->target.timeout);
        if (self->write_first) {
            if (auto err = start_connect(self->sock, self->target.endpoint))
                return asio::post(self->sock.get_executor(), [self, e = *err] { self->fail(e); });
            return self->connected();
        }
        self->sock.async_connect(self->target.endpoint, [self](error_code ec) {
            if (self->finished)
                return;
            if (ec)
                return self->fail("connect: " + ec.message());
            self->connected();
        });
    }

    void fired() override { fail(std::string(stage) + " timed out"); }

    void fail(const std::string& why) {
        Reply r;
        r.error = why;
        finish(std::move(r));
    }

    void finish(Reply r) {
        if (finished)
            return;
        finished = true;
        this->cancel();
        ps.release(target); // no TLS shutdown to wait for
        done(std::move(r));
    }

    ProbeSocket ps;
    tcp::socket& sock; // ps.sock
    ProbeTarget target;
    std::function<void(Reply)> done;
    const char* stage = "connect"; // what a timeout interrupted
    bool finished = false;
    // The derived op writes first, and its write waits for the connection (start_connect).
    bool write_first = false;
};

struct AgentOp : ExchangeOp<AgentReply>, std::enable_shared_from_this<AgentOp> {
    AgentOp(asio::io_context& io, std::shared_ptr<ProbeShared> shared, ProbeTarget t, size_t limit,
            std::function<void(AgentReply)> cb)
        : ExchangeOp(io, std::move(shared), std::move(t), std::move(cb)), line_limit(limit) {}

    void start() { begin(shared_from_this()); }

    void connected() {
        stage = "reading the agent's line";
        asio::async_read_until(
            sock, asio::dynamic_buffer(buf, line_limit), '\n',
            [self = shared_from_this()](error_code ec, size_t n) { self->read(ec, n); });
    }

    void read(error_code ec, size_t n) {
        if (finished)
            return;
        if (ec == asio::error::eof && !buf.empty())
            n = buf.size();
        else if (ec == asio::error::not_found)
            return fail("line longer than " + std::to_string(line_limit) + " bytes");
        else if (ec)
            return fail("read: " + ec.message());
        AgentReply r;
        r.ok = true;
        r.line = buf.substr(0, n);
        while (!r.line.empty() && (r.line.back() == '\n' || r.line.back() == '\r'))
            r.line.pop_back();
        finish(std::move(r));
    }

    size_t line_limit;
    std::string buf;
};

struct HttpOp : ExchangeOp<HttpReply>, std::enable_shared_from_this<HttpOp> {
    HttpOp(asio::io_context& io, std::shared_ptr<ProbeShared> shared, ssl::context& ctx,
           ProbeTarget t, std::shared_ptr<const PreparedRequest> r,
           std::function<void(HttpReply)> cb)
        : ExchangeOp(io, std::move(shared), std::move(t), std::move(cb)), prepared(std::move(r)),
          request(prepared->request), parser(request.digest, request.body_limit) {
        if (request.tls)
            tls = std::make_unique<ssl::stream<tcp::socket&>>(sock, ctx);
        write_first = !request.tls;
        // Reads of 512 bytes (Beast's least) would take a larger page a recv at a time.
        buf.reserve(16 * 1024);
    }

    void start() { begin(shared_from_this()); }

    void connected() {
        if (!tls)
            return send(sock);
        if (!request.sni.empty())
            SSL_set_tlsext_host_name(tls->native_handle(), request.sni.c_str());
        stage = "TLS handshake";
        tls->async_handshake(ssl::stream_base::client, [self = shared_from_this()](error_code ec) {
            if (self->finished)
                return;
            if (ec)
                return self->fail("TLS handshake: " + ec.message());
            self->send(*self->tls);
        });
    }

    // Written while the connection is still being made (write_first), the request goes out
    // once it is up, and a connect that fails fails the write: until the request is written
    // the stage is the connect.
    template <class Stream> void send(Stream& s) {
        if (!write_first)
            stage = "request";
        asio::async_write(
            s, asio::buffer(prepared->text),
            [self = shared_from_this(), &s](error_code ec, size_t) {
                if (self->finished)
                    return;
                if (ec)
                    return self->fail(
                        (self->write_first && connect_error(ec) ? "connect: " : "write: ") +
                        ec.message());
                self->stage = "response";
                http::async_read(s, self->buf, self->parser,
                                 [self](error_code ec, size_t) { self->response_read(ec); });
            });
    }

    void response_read(error_code ec) {
        if (finished)
            return;
        // A TLS peer that closes without close_notify ends an EOF-delimited body.
        if (ec == ssl::error::stream_truncated && !parser.is_done()) {
            if (!parser.got_some())
                return fail("connection closed before a response");
            ec = {};
            parser.put_eof(ec);
        }
        if (ec == http::error::body_limit)
            return fail("body larger than " + std::to_string(request.body_limit) + " bytes");
        if (ec)
            return fail("read: " + ec.message());
        HttpReply r;
        r.ok = true;
        r.status = parser.status();
        r.body_size = parser.body_size();
        r.digest = parser.digest();
        finish(std::move(r));
    }

    std::unique_ptr<ssl::stream<tcp::socket&>> tls; // SSL_GET only: it is large
    std::shared_ptr<const PreparedRequest> prepared;
    const HttpRequest& request; // prepared->request
    beast::flat_buffer buf;
    ResponseParser parser;
};

// A probe on its own (a test, lvs-genhash) gets a pool and a grid of its own.
std::shared_ptr<ProbeShared> own(asio::io_context& io, std::shared_ptr<ProbeShared> shared) {
    return shared ? std::move(shared) : std::make_shared<ProbeShared>(io);
}

} // namespace

void tcp_probe(asio::io_context& io, const ProbeTarget& target, std::function<void(Result)> done,
               std::shared_ptr<ProbeShared> shared) {
    std::make_shared<TcpOp>(io, own(io, std::move(shared)), target, std::move(done))->start();
}

void agent_probe(asio::io_context& io, const ProbeTarget& target, size_t line_limit,
                 std::function<void(AgentReply)> done, std::shared_ptr<ProbeShared> shared) {
    std::make_shared<AgentOp>(io, own(io, std::move(shared)), target, line_limit, std::move(done))
        ->start();
}

PreparedRequest::PreparedRequest(HttpRequest r) : request(std::move(r)) {
    http::request<http::empty_body> req;
    req.method(http::verb::get);
    req.target(request.path.empty() ? "/" : request.path);
    req.version(request.version);
    req.set(http::field::host, request.host);
    req.set(http::field::user_agent, "lvsd-checker");
    if (request.connection_close || request.version >= 11)
        req.set(http::field::connection, "close");
    std::ostringstream out;
    out << req;
    text = out.str();
}

void http_probe(asio::io_context& io, ssl::context& tls_context, const ProbeTarget& target,
                std::shared_ptr<const PreparedRequest> request, std::function<void(HttpReply)> done,
                std::shared_ptr<ProbeShared> shared) {
    std::make_shared<HttpOp>(io, own(io, std::move(shared)), tls_context, target,
                             std::move(request), std::move(done))
        ->start();
}

void http_probe(asio::io_context& io, ssl::context& tls_context, const ProbeTarget& target,
                const HttpRequest& request, std::function<void(HttpReply)> done,
                std::shared_ptr<ProbeShared> shared) {
    http_probe(io, tls_context, target, std::make_shared<const PreparedRequest>(request),
               std::move(done), std::move(shared));
}

ssl::context make_client_tls_context() {
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_verify_mode(ssl::verify_none);
    return ctx;
}

} // namespace lvsd::director::checks
