#include "probes.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fstream>
#include <memory>
#include <sstream>

namespace lvsd::realserver {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

bool tcp_listening(int port) {
    constexpr const char* listen_state = "0A"; // TCP_LISTEN in /proc/net/tcp
    for (const char* file : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream in(file);
        std::string line;
        std::getline(in, line); // header
        while (std::getline(in, line)) {
            std::istringstream f(line);
            std::string slot, local, remote, state;
            f >> slot >> local >> remote >> state;
            auto colon = local.rfind(':');
            if (colon == std::string::npos || state != listen_state)
                continue;
            if (std::stoi(local.substr(colon + 1), nullptr, 16) == port)
                return true;
        }
    }
    return false;
}

namespace {

// One HTTP GET against 127.0.0.1 with an overall deadline; Beast parses the response.
class HttpGet : public std::enable_shared_from_this<HttpGet> {
public:
    HttpGet(asio::io_context& io, int port, HttpProbe probe,
            std::function<void(bool, std::string)> done)
        : stream_(io), port_(port), probe_(std::move(probe)), done_(std::move(done)) {}

    void start() {
        req_ = {http::verb::get, probe_.path, 11};
        req_.set(http::field::host, probe_.host.empty() ? "127.0.0.1" : probe_.host);
        req_.set(http::field::user_agent, "lvs-realserver");
        req_.set(http::field::connection, "close");
        stream_.expires_after(std::chrono::milliseconds(static_cast<int>(probe_.timeout * 1000)));
        auto self = shared_from_this();
        stream_.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_),
                              [self](beast::error_code ec) { self->on_connect(ec); });
    }

private:
    void on_connect(beast::error_code ec) {
        if (ec)
            return finish(false, "connect: " + ec.message());
        auto self = shared_from_this();
        http::async_write(stream_, req_, [self](beast::error_code ec, size_t) {
            if (ec)
                return self->finish(false, "send: " + ec.message());
            // Bounded: a service that streams an endless body fails at the body limit or timeout.
            self->parser_.body_limit(1 << 20);
            http::async_read(self->stream_, self->buf_, self->parser_,
                             [self](beast::error_code ec, size_t) { self->on_read(ec); });
        });
    }

    void on_read(beast::error_code ec) {
        if (ec)
            return finish(false, "read: " + ec.message());
        int status = parser_.get().result_int();
        std::string detail = "GET " + probe_.path + " -> " + std::to_string(status);
        if (status != probe_.status_code)
            detail += ", want " + std::to_string(probe_.status_code);
        finish(status == probe_.status_code, detail);
    }

    void finish(bool ok, std::string detail) {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        if (done_)
            std::exchange(done_, nullptr)(ok, std::move(detail));
    }

    beast::tcp_stream stream_;
    int port_;
    HttpProbe probe_;
    std::function<void(bool, std::string)> done_;
    http::request<http::empty_body> req_;
    beast::flat_buffer buf_;
    http::response_parser<http::string_body> parser_;
};

} // namespace

void probe_services(asio::io_context& io, const std::vector<Service>& services,
                    std::function<void(std::vector<CheckResult>)> done) {
    struct Round {
        std::vector<CheckResult> results;
        size_t pending = 0;
        std::function<void(std::vector<CheckResult>)> done;
    };
    auto round = std::make_shared<Round>();
    round->done = std::move(done);
    round->results.resize(services.size());
    for (size_t i = 0; i < services.size(); ++i) {
        const auto& s = services[i];
        auto& r = round->results[i];
        r.name = "service " + s.name + " port " + std::to_string(s.port);
        r.ok = tcp_listening(s.port);
        r.detail = r.ok ? "listening" : "nothing listens";
        if (r.ok && s.http) {
            ++round->pending;
            std::make_shared<HttpGet>(io, s.port, *s.http, [round, i](bool ok, std::string d) {
                round->results[i].ok = ok;
                round->results[i].detail = std::move(d);
                if (--round->pending == 0)
                    round->done(std::move(round->results));
            })->start();
        }
    }
    if (round->pending == 0)
        asio::post(io, [round] { round->done(std::move(round->results)); });
}

} // namespace lvsd::realserver
