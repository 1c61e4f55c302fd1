// The network half of the checkers: one TCP connect, or one HTTP(S) GET, on the caller's
// io_context, each bounded as a whole by one deadline (connect + TLS handshake + request +
// response). No threads; the callback runs exactly once, from the io_context.
#pragma once

#include "director/checks/check_state.h"
#include "director/checks/grid_timers.h"
#include "director/checks/socket_pool.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace lvsd::director::checks {

struct ProbeTarget {
    boost::asio::ip::tcp::endpoint endpoint;
    std::optional<boost::asio::ip::tcp::endpoint> bind; // bindto / bind_port
    std::string bind_if;                                // SO_BINDTODEVICE, empty: none
    unsigned fwmark = 0;                                // SO_MARK, 0: none
    Duration timeout = std::chrono::seconds(5);         // the whole probe
};

// What the probes of a checker set share: idle sockets, and the grid their deadlines are on.
// A probe that is given none makes its own, and ends its connection as pooled probes do: with
// a RST (SocketPool::give).
struct ProbeShared {
    explicit ProbeShared(boost::asio::io_context& io) : sockets(io), timers(io) {}
    SocketPool sockets; // targets that set no socket options take theirs from here
    GridTimers timers;
};

// Connects and closes: ok when the connection was accepted in time.
void tcp_probe(boost::asio::io_context& io, const ProbeTarget& target,
               std::function<void(Result)> done, std::shared_ptr<ProbeShared> shared = nullptr);

// AGENT_CHECK: connects and reads one line of agent-check text (HAProxy's protocol), at most
// `line_limit` bytes; a peer that closes after an unterminated line has said that line.
struct AgentReply {
    bool ok = false;
    std::string line;  // ok: without the newline
    std::string error; // !ok: why not
};
void agent_probe(boost::asio::io_context& io, const ProbeTarget& target, size_t line_limit,
                 std::function<void(AgentReply)> done,
                 std::shared_ptr<ProbeShared> shared = nullptr);

struct HttpRequest {
    std::string path = "/";
    std::string host;              // Host: header
    int version = 10;              // 10 or 11
    bool connection_close = false; // send Connection: close (1.0C; 1.1 always does)
    bool tls = false;              // SSL_GET
    std::string sni;               // empty: no SNI
    size_t body_limit = 1 << 20;   // a longer body fails the probe
    bool digest = true;            // compute the body's MD5 (checks without `digest` skip it)
};

struct HttpReply {
    bool ok = false;   // a whole response arrived
    std::string error; // !ok: why not
    int status = 0;
    std::string digest; // lower-case hex MD5 of the body, when the request asked for it
    size_t body_size = 0;
};

// A request ready to send: its settings and its bytes, serialized by Beast once and shared by
// every probe of a checker.
struct PreparedRequest {
    explicit PreparedRequest(HttpRequest r);
    HttpRequest request;
    std::string text;
};

// One GET. `tls_context` is used for tls requests only and must outlive the probe.
void http_probe(boost::asio::io_context& io, boost::asio::ssl::context& tls_context,
                const ProbeTarget& target, std::shared_ptr<const PreparedRequest> request,
                std::function<void(HttpReply)> done, std::shared_ptr<ProbeShared> shared = nullptr);
void http_probe(boost::asio::io_context& io, boost::asio::ssl::context& tls_context,
                const ProbeTarget& target, const HttpRequest& request,
                std::function<void(HttpReply)> done, std::shared_ptr<ProbeShared> shared = nullptr);

// A client context as keepalived's SSL_GET uses it: any TLS version, no certificate checks.
boost::asio::ssl::context make_client_tls_context();

} // namespace lvsd::director::checks
