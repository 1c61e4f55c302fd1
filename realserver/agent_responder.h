// Answers HAProxy's agent-check protocol: each connection gets one line ("up", "drain",
// "down #reason") and is closed. Directors (ours or HAProxy) poll it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <string>

namespace lvsd::realserver {

class AgentResponder {
public:
    // address "" listens on every address (IPv6 and IPv4 where the host has IPv6).
    AgentResponder(boost::asio::io_context& io, const std::string& address, int port,
                   std::function<std::string()> answer);

private:
    void accept();

    boost::asio::ip::tcp::acceptor acceptor_;
    std::function<std::string()> answer_;
};

} // namespace lvsd::realserver
