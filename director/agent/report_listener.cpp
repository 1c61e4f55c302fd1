#include "director/agent/report_listener.h"

#include "agent/ack.h"
#include "log/log.h"
#include "net/udp_source.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include <memory>

namespace lvsd::director::agent {

namespace asio = boost::asio;
using asio::ip::udp;

const HostState* latest_report(const std::map<std::string, HostState>& hosts,
                               const std::string& address) {
    const HostState* latest = nullptr;
    std::string prefix = address + "/";
    for (auto it = hosts.lower_bound(prefix);
         it != hosts.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
        if (!latest || it->second.received > latest->received)
            latest = &it->second;
    return latest;
}

namespace {

// Whether a report signed as sent from `signed_addr` came from `sender` (address_text of the
// datagram's source: an IPv6 scope is the receiver's own, not compared).
bool sent_from(const std::string& signed_addr, const std::string& sender) {
    boost::system::error_code ec;
    auto a = asio::ip::make_address(signed_addr, ec);
    return !ec && net::address_text(a) == sender;
}

} // namespace

ReportListener::ReportListener(asio::io_context& io, uint16_t port, std::vector<uint8_t> key,
                               OnChange on_change, std::string name)
    : sock_(io), key_(std::move(key)), on_change_(std::move(on_change)) {
    set_name(std::move(name));
    // One IPv6 socket with v6only off takes IPv4 reports too.
    sock_.open(udp::v6());
    sock_.set_option(asio::ip::v6_only(false));
    sock_.set_option(asio::socket_base::reuse_address(true));
    sock_.bind(udp::endpoint(udp::v6(), port));
    // Each datagram's destination address (IPv4 ones too, v4-mapped), for its ack's source.
    int on = 1;
    if (::setsockopt(sock_.native_handle(), IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on) != 0)
        throw boost::system::system_error(errno, boost::system::system_category(),
                                          "IPV6_RECVPKTINFO");
    sock_.non_blocking(true);
    receive();
}

void ReportListener::set_name(std::string name) {
    if (name.empty()) {
        char host[256] = {};
        gethostname(host, sizeof host - 1);
        name = host;
    }
    name_ = std::move(name);
}

void ReportListener::receive() {
    sock_.async_wait(udp::socket::wait_read,
                     [this, alive = alive_](const boost::system::error_code& ec) {
                         if (*alive && ec != asio::error::operation_aborted)
                             readable(ec);
                     });
}

void ReportListener::readable(const boost::system::error_code& ec) {
    // A few of what is queued, so that a flood (or a mass drain, each report of which applies
    // the table) cannot hold the loop; the next wait finds the rest (asio re-arms the socket in
    // epoll for every wait, so data already queued wakes it).
    for (int i = 0; i < 8 && !ec; ++i) {
        auto n = receive_one();
        if (!n)
            break;
        if (*n > buf_.size()) {
            ++malformed_;
            complain("longer than " + std::to_string(buf_.size()) + " bytes");
            continue;
        }
        try {
            handle(*n);
        } catch (const std::exception& e) {
            ++malformed_; // never let a datagram end the daemon
            complain(std::string("could not be handled: ") + e.what());
        }
    }
    receive();
}

// One datagram into buf_, its source into from_ and its destination into to_ (with the
// interface it came in on as scope); its length, more than the buffer when it was cut
// short; nullopt when none is queued.
std::optional<std::size_t> ReportListener::receive_one() {
    udp::endpoint src(udp::v6(), 0);
    iovec iov{buf_.data(), buf_.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in6_pktinfo))];
    msghdr m{};
    m.msg_name = src.data();
    m.msg_namelen = static_cast<socklen_t>(src.capacity());
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = control;
    m.msg_controllen = sizeof control;
    ssize_t n;
    do
        n = ::recvmsg(sock_.native_handle(), &m, MSG_DONTWAIT | MSG_TRUNC);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            complain(std::string("could not be received: ") + std::strerror(errno));
        return std::nullopt;
    }
    src.resize(m.msg_namelen);
    from_ = src;
    to_ = {};
    for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            in6_pktinfo info;
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            asio::ip::address_v6::bytes_type to;
            std::memcpy(to.data(), &info.ipi6_addr, to.size());
            to_ = asio::ip::address_v6(to, info.ipi6_ifindex);
        }
    return static_cast<std::size_t>(n);
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
    std::string sender = net::address_text(from_.address());
    auto r = lvsd::agent::decode_report(std::string_view(buf_.data(), n), key_);
    if (auto* err = std::get_if<lvsd::agent::ReportError>(&r)) {
        if (*err == lvsd::agent::ReportError::bad_mac) {
            ++forged_;
            complain("from " + sender + " failed authentication");
        } else if (*err == lvsd::agent::ReportError::old_format) {
            ++malformed_;
            complain("from " + sender + " is of an older lvs-realserver, whose reports do not " +
                     "sign their address: upgrade it (agents before directors)");
        } else {
            ++malformed_;
            complain("from " + sender + " is malformed");
        }
        return;
    }
    const auto& report = std::get<lvsd::agent::Report>(r);
    // Real servers are matched by the report's source address, so that address must be the one
    // the agent signed: a genuine report replayed from another address changes nothing.
    if (!sent_from(report.addr, sender)) {
        ++misaddressed_;
        complain("from " + sender + " (" + report.host + ") was signed as sent from " +
                 report.addr + ": replayed, or translated (NAT) on the way");
        return;
    }
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
    // The real server at this address is weighed by the latest report from it, whatever the
    // name (report_weights): a change is a change of that, not only of this name's state.
    const HostState* latest = latest_report(hosts_, sender);
    bool changed = !latest || latest->state != report.state;
    auto& h = hosts_[keyed.host];
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
    // A full socket buffer loses this ack; the agent's next report brings another.
    (void)net::send_from(sock_.native_handle(), lvsd::agent::encode_ack(a, key_), from_, to_);
}

nlohmann::json ReportListener::stats() const {
    nlohmann::json hosts = nlohmann::json::object();
    for (const auto& [name, h] : hosts_)
        hosts[name] = {{"state", h.state}, {"from", h.from}, {"seq", h.seq}};
    return {{"accepted", accepted_},         {"forged", forged_},
            {"replayed", replayed_},         {"malformed", malformed_},
            {"misaddressed", misaddressed_}, {"hosts", hosts}};
}

} // namespace lvsd::director::agent
