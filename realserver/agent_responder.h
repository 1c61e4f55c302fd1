// Answers HAProxy's agent-check protocol: each connection gets one line ("up", "drain",
// "down #reason") and is closed. Directors (ours or HAProxy) poll it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>

namespace lvsd::realserver {

class AgentResponder {
public:
    // address "" listens on every address (IPv6 and IPv4 where the host has IPv6).
    AgentResponder(boost::asio::io_context& io, const std::string& address, int port,
                   std::function<std::string()> answer);
    ~AgentResponder() { *alive_ = false; }

private:
    void accept();

    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer retry_;
    std::function<std::string()> answer_;
    // A reload replaces the responder from another handler, maybe with an accept already
    // completed and queued: its handler must not touch the object.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace lvsd::realserver
