#include "report_sender.h"

#include "log/log.h"
#include "net/udp_source.h"

#include <boost/asio/ip/v6_only.hpp>
#include <cerrno>
#include <cstring>
#include <memory>

namespace lvsd::realserver {

namespace asio = boost::asio;
using asio::ip::udp;

ReportSender::ReportSender(asio::io_context& io, std::vector<net::IpAddress> directors, int port,
                           std::vector<uint8_t> key, std::string host)
    : sock_(io), key_(std::move(key)), host_(std::move(host)),
      // Numbered from the wall clock's milliseconds: a restarted (or reloaded) agent's reports
      // then number after all of its previous run's, which a director's replay guard refuses
      // from then on, instead of taking a captured one whose number is higher than the new run's.
      seq_(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count())) {
    sock_.open(udp::v6());
    sock_.set_option(asio::ip::v6_only(false)); // IPv4 directors through mapped addresses
    sock_.bind(udp::endpoint(udp::v6(), 0));    // a port of its own from the start, for acks
    for (const auto& d : directors) {
        auto a = asio::ip::make_address(d.str());
        if (a.is_v4())
            a = asio::ip::make_address_v6(asio::ip::v4_mapped, a.to_v4());
        to_.emplace_back(a, static_cast<uint16_t>(port));
    }
    receive();
}

void ReportSender::receive() {
    sock_.async_receive_from(
        asio::buffer(buf_), from_,
        [this, alive = alive_](const boost::system::error_code& ec, std::size_t n) {
            if (!*alive || ec == asio::error::operation_aborted)
                return;
            if (ec || !on_ack_)
                return receive();
            // As the directors are configured: no IPv6 scope, which is this host's own.
            auto from = net::address_text(from_.address());
            auto decoded = agent::decode_ack(std::string_view(buf_.data(), n), key_);
            receive(); // again first (the datagram is decoded): a throw below must not end it
            if (auto* ack = std::get_if<agent::Ack>(&decoded))
                on_ack_(from, *ack);
            else if (auto now = std::chrono::steady_clock::now(); now >= next_complaint_) {
                next_complaint_ = now + std::chrono::seconds(10); // no log flood from forgers
                log::warning("a report acknowledgement from " + from +
                             (std::get<agent::AckError>(decoded) == agent::AckError::bad_mac
                                  ? " failed authentication"
                                  : " is malformed"));
            }
        });
}

void ReportSender::report(const std::string& state, std::chrono::steady_clock::duration refresh) {
    auto now = std::chrono::steady_clock::now();
    if (state == last_ && now - last_sent_ < refresh)
        return;
    last_ = state;
    last_sent_ = now;
    agent::Report r;
    r.host = host_;
    r.seq = ++seq_;
    r.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
    r.state = state;
    sent_ = r;
    // Each director gets the report signed with the address it leaves from towards it, and
    // sent from that address: a copy replayed from any other address is refused.
    for (const auto& to : to_) {
        auto from = net::source_for(to);
        if (from) {
            r.addr = net::address_text(*from);
            // Only from the address it is signed with: the route's choice would be refused.
            if (net::send_from(sock_.native_handle(), agent::encode_report(r, key_), to, *from,
                               false))
                continue;
        }
        // A director that is down or unreachable is not ours to wait for.
        int err = errno;
        log::warning("cannot send a report to " + net::address_text(to.address()) + ": " +
                     std::strerror(err));
    }
}

} // namespace lvsd::realserver
