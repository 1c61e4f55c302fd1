#include "report_sender.h"

#include "log/log.h"

#include <boost/asio/ip/v6_only.hpp>
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
            if (!ec && on_ack_) {
                auto a = from_.address();
                if (a.is_v6() && a.to_v6().is_v4_mapped())
                    a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
                auto decoded = agent::decode_ack(std::string_view(buf_.data(), n), key_);
                if (auto* ack = std::get_if<agent::Ack>(&decoded))
                    on_ack_(a.to_string(), *ack);
                else if (auto now = std::chrono::steady_clock::now(); now >= next_complaint_) {
                    next_complaint_ = now + std::chrono::seconds(10); // no log flood from forgers
                    log::warning("a report acknowledgement from " + a.to_string() +
                                 (std::get<agent::AckError>(decoded) == agent::AckError::bad_mac
                                      ? " failed authentication"
                                      : " is malformed"));
                }
            }
            receive();
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
    auto datagram = std::make_shared<std::string>(agent::encode_report(r, key_));
    for (const auto& to : to_)
        sock_.async_send_to(asio::buffer(*datagram), to,
                            [datagram, to](const boost::system::error_code& ec, std::size_t) {
                                // A director that is down or unreachable is not ours to wait for.
                                if (ec && ec != asio::error::operation_aborted)
                                    log::warning("cannot send a report to " +
                                                 to.address().to_string() + ": " + ec.message());
                            });
}

} // namespace lvsd::realserver
