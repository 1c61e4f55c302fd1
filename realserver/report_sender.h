// Pushes this host's readiness to the directors: one authenticated UDP datagram per director on
// every change, and again every few seconds so that a restarted director learns it.
#pragma once

#include "net/ip_address.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace lvsd::realserver {

class ReportSender {
public:
    ReportSender(boost::asio::io_context& io, std::vector<net::IpAddress> directors, int port,
                 std::vector<uint8_t> key, std::string host);
    // Sends when state differs from the last one sent or the last send is older than `refresh`.
    void report(const std::string& state,
                std::chrono::steady_clock::duration refresh = std::chrono::seconds(5));

private:
    boost::asio::ip::udp::socket sock_;
    std::vector<boost::asio::ip::udp::endpoint> to_;
    std::vector<uint8_t> key_;
    std::string host_;
    uint64_t seq_ = 0;
    std::string last_;
    std::chrono::steady_clock::time_point last_sent_{};
};

} // namespace lvsd::realserver
