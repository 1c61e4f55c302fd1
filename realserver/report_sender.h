// Pushes this host's readiness to the directors: one authenticated UDP datagram per director on
// every change, and again every few seconds so that a restarted director learns it. The same
// socket receives the directors' acknowledgements (shared/agent/ack.h).
#pragma once

#include "agent/ack.h"
#include "agent/report.h"
#include "net/ip_address.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lvsd::realserver {

class ReportSender {
public:
    ReportSender(boost::asio::io_context& io, std::vector<net::IpAddress> directors, int port,
                 std::vector<uint8_t> key, std::string host);
    ~ReportSender() { *alive_ = false; }
    // Sends when state differs from the last one sent or the last send is older than `refresh`.
    void report(const std::string& state,
                std::chrono::steady_clock::duration refresh = std::chrono::seconds(5));
    // The last report sent (seq 0: none yet).
    const agent::Report& last_report() const { return sent_; }
    const std::string& host() const { return host_; }

    // Authentic acks naming this host, with the address they came from (IPv4 dotted).
    using OnAck = std::function<void(const std::string& from, const agent::Ack&)>;
    void on_ack(OnAck f) { on_ack_ = std::move(f); }

private:
    void receive();

    boost::asio::ip::udp::socket sock_;
    boost::asio::ip::udp::endpoint from_;
    std::array<char, 2048> buf_{};
    OnAck on_ack_;
    agent::Report sent_;
    std::chrono::steady_clock::time_point next_complaint_{};
    std::vector<boost::asio::ip::udp::endpoint> to_;
    std::vector<uint8_t> key_;
    std::string host_;
    uint64_t seq_ = 0;
    // A reload replaces the sender from another handler, maybe with a receive already
    // completed and queued: its handler must not touch the object.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    std::string last_;
    std::chrono::steady_clock::time_point last_sent_{};
};

} // namespace lvsd::realserver
