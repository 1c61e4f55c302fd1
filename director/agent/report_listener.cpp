#include "director/agent/report_listener.h"

#include "agent/ack.h"
#include "log/log.h"

#include <unistd.h>

#include <memory>

namespace lvsd::director::agent {

namespace asio = boost::asio;
using asio::ip::udp;

ReportListener::ReportListener(asio::io_context& io, uint16_t port, std::vector<uint8_t> key,
                               OnChange on_change, std::string name)
    : sock_(io), key_(std::move(key)), on_change_(std::move(on_change)), name_(std::move(name)) {
    if (name_.empty()) {
        char host[256] = {};
        gethostname(host, sizeof host - 1);
        name_ = host;
    }
    // One IPv6 socket with v6only off takes IPv4 reports too.
    sock_.open(udp::v6());
    sock_.set_option(asio::ip::v6_only(false));
    sock_.set_option(asio::socket_base::reuse_address(true));
    sock_.bind(udp::endpoint(udp::v6(), port));
    receive();
}

void ReportListener::receive() {
    sock_.async_receive_from(asio::buffer(buf_), from_,
                             [this](const boost::system::error_code& ec, std::size_t n) {
                                 if (ec == asio::error::operation_aborted)
                                     return;
                                 if (!ec) {
                                     try {
                                         handle(n);
                                     } catch (const std::exception& e) {
                                         ++malformed_; // never let a datagram end the daemon
                                         complain(std::string("could not be handled: ") + e.what());
                                     }
                                 }
                                 receive();
                             });
}

void ReportListener::complain(const std::string& what) {
    // A flood of forged reports must not become a flood of log lines.
    auto now = std::chrono::steady_clock::now();
    if (now < next_complaint_)
        return;
    next_complaint_ = now + std::chrono::seconds(10);
    log::warning("agent report " + what + " (forged " + std::to_string(forged_) + ", replayed " +
                 std::to_string(replayed_) + ", malformed " + std::to_string(malformed_) +
                 " so far)");
}

void ReportListener::handle(std::size_t n) {
    std::string sender = from_.address().to_string();
    if (from_.address().is_v6() && from_.address().to_v6().is_v4_mapped())
        sender =
            asio::ip::make_address_v4(asio::ip::v4_mapped, from_.address().to_v6()).to_string();
    auto r = lvsd::agent::decode_report(std::string_view(buf_.data(), n), key_);
    if (auto* err = std::get_if<lvsd::agent::ReportError>(&r)) {
        if (*err == lvsd::agent::ReportError::bad_mac) {
            ++forged_;
            complain("from " + sender + " failed authentication");
        } else {
            ++malformed_;
            complain("from " + sender + " is malformed");
        }
        return;
    }
    const auto& report = std::get<lvsd::agent::Report>(r);
    auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    // Real servers are matched by address (clones often share a host name): the replay window
    // and the state are kept per address and name.
    lvsd::agent::Report keyed = report;
    keyed.host = sender + "/" + report.host;
    if (guard_.check(keyed, now_ms) != lvsd::agent::Verdict::fresh) {
        ++replayed_;
        complain("from " + sender + " (" + report.host + ") is a replay or out of time");
        return;
    }
    ++accepted_;
    auto& h = hosts_[keyed.host];
    bool changed = h.state != report.state;
    h.state = report.state;
    h.from = sender;
    h.seq = report.seq;
    h.received = std::chrono::steady_clock::now();
    if (changed) {
        log::info("real server " + report.host + " (" + sender + ") reports " + report.state);
        if (on_change_)
            on_change_(report.host, h); // applies the table before the ack below says so
    }
    acknowledge(report);
}

// Every accepted report is acknowledged, repeats too: an ack lost on the way is made good by
// the next report. A draining real server waits for these before it takes its VIP away.
void ReportListener::acknowledge(const lvsd::agent::Report& r) {
    lvsd::agent::Ack a{name_, r.host, r.seq, r.time_ms, r.state};
    auto datagram = std::make_shared<std::string>(lvsd::agent::encode_ack(a, key_));
    sock_.async_send_to(asio::buffer(*datagram), from_,
                        [datagram](const boost::system::error_code&, std::size_t) {});
}

nlohmann::json ReportListener::stats() const {
    nlohmann::json hosts = nlohmann::json::object();
    for (const auto& [name, h] : hosts_)
        hosts[name] = {{"state", h.state}, {"from", h.from}, {"seq", h.seq}};
    return {{"accepted", accepted_},
            {"forged", forged_},
            {"replayed", replayed_},
            {"malformed", malformed_},
            {"hosts", hosts}};
}

} // namespace lvsd::director::agent
