// Receives lvs-realserver's readiness reports (shared/agent/report.h) on a UDP port: authentic,
// fresh reports sent from the address they are signed with update the sender's state and are
// acknowledged to their source once the table follows them (shared/agent/ack.h); forged, replayed
// or garbled ones are counted, logged at a limited rate, change nothing and get no answer. An ack
// leaves from the address its report was sent to: the agent counts acks by the directors' addresses
// it reports to, and a director with several addresses would otherwise answer from whichever the
// route prefers.
#pragma once

#include "agent/replay_guard.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lvsd::director::agent {

struct HostState {
    std::string state; // agent-check text
    std::string from;  // source address of the last report
    uint64_t seq = 0;
    std::chrono::steady_clock::time_point received{};
};

// The latest report from `address` among `hosts` (keyed "address/name", as the listener keeps
// them), whatever its name; nullptr when none. It is what weighs that address's real servers.
const HostState* latest_report(const std::map<std::string, HostState>& hosts,
                               const std::string& address);

class ReportListener {
public:
    using OnChange = std::function<void(const std::string& host, const HostState&)>;

    // Throws boost::system::system_error when the port cannot be bound.
    // `name`: how acks name this director (empty: the host name).
    ReportListener(boost::asio::io_context& io, uint16_t port, std::vector<uint8_t> key,
                   OnChange on_change, std::string name = {});
    ~ReportListener() { *alive_ = false; }
    // A reload's new key and name: reports are checked, and acks named, with them from now on.
    void set_key(std::vector<uint8_t> key) { key_ = std::move(key); }
    void set_name(std::string name); // empty: the host name

    nlohmann::json stats() const;
    const std::map<std::string, HostState>& hosts() const { return hosts_; }

private:
    void receive();
    void readable(const boost::system::error_code& ec);
    std::optional<std::size_t> receive_one();
    void handle(std::size_t n);
    void complain(const std::string& what);
    void acknowledge(const lvsd::agent::Report& r);

    boost::asio::ip::udp::socket sock_;
    boost::asio::ip::udp::endpoint from_;
    boost::asio::ip::address_v6 to_; // the report's destination (v4-mapped for IPv4), scoped
    std::array<char, 2048> buf_{};
    std::vector<uint8_t> key_;
    OnChange on_change_;
    std::string name_;
    lvsd::agent::ReplayGuard guard_;
    std::map<std::string, HostState> hosts_;
    // A reload replaces the listener from another handler, maybe with a wait already completed
    // and queued: its handler must not touch the object.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    uint64_t accepted_ = 0, forged_ = 0, malformed_ = 0, replayed_ = 0, misaddressed_ = 0;
    std::chrono::steady_clock::time_point next_complaint_{};
};

} // namespace lvsd::director::agent
