#include "agent_responder.h"

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/write.hpp>
#include <memory>

namespace lvsd::realserver {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

static tcp::acceptor open_acceptor(asio::io_context& io, const std::string& address, int port) {
    tcp::acceptor a(io);
    auto listen = [&](const tcp::endpoint& ep, bool dual) {
        a.open(ep.protocol());
        a.set_option(asio::socket_base::reuse_address(true));
        if (dual)
            a.set_option(asio::ip::v6_only(false));
        a.bind(ep);
        a.listen();
    };
    auto p = static_cast<unsigned short>(port);
    if (!address.empty()) {
        listen({asio::ip::make_address(address), p}, false);
        return a;
    }
    try {
        listen({asio::ip::address_v6::any(), p}, true);
    } catch (const boost::system::system_error&) {
        // IPv6 disabled on this host: IPv4 only.
        a = tcp::acceptor(io);
        listen({asio::ip::address_v4::any(), p}, false);
    }
    return a;
}

AgentResponder::AgentResponder(asio::io_context& io, const std::string& address, int port,
                               std::function<std::string()> answer)
    : acceptor_(open_acceptor(io, address, port)), retry_(io), answer_(std::move(answer)) {
    accept();
}

void AgentResponder::accept() {
    acceptor_.async_accept([this, alive = alive_](boost::system::error_code ec, tcp::socket s) {
        if (!*alive || ec == asio::error::operation_aborted)
            return;
        if (ec) {
            // Out of descriptors (EMFILE) or memory: accepting again at once would fail again
            // at once, in a loop. The pending connection waits in the backlog meanwhile.
            retry_.expires_after(std::chrono::milliseconds(100));
            retry_.async_wait([this, alive](boost::system::error_code e) {
                if (*alive && !e)
                    accept();
            });
            return;
        }
        accept(); // first: a throw below must not end the accepting
        auto sock = std::make_shared<tcp::socket>(std::move(s));
        auto line = std::make_shared<std::string>(answer_() + "\n");
        asio::async_write(*sock, asio::buffer(*line),
                          [sock, line](boost::system::error_code, size_t) {
                              boost::system::error_code ignored;
                              sock->shutdown(tcp::socket::shutdown_both, ignored);
                          });
    });
}

} // namespace lvsd::realserver
