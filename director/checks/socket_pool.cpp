#include "director/checks/socket_pool.h"

#include <sys/socket.h>

namespace lvsd::director::checks {

using tcp = boost::asio::ip::tcp;

tcp::socket SocketPool::take(const tcp& protocol, boost::system::error_code& ec) {
    auto& same = protocol.family() == AF_INET6 ? v6_ : v4_;
    ec = {};
    if (same.empty()) {
        tcp::socket s(io_);
        s.open(protocol, ec);
        return s;
    }
    tcp::socket s = std::move(same.front());
    same.pop_front();
    return s;
}

void SocketPool::give(tcp::socket s, const tcp& protocol) {
    if (!s.is_open())
        return;
    boost::system::error_code ignored;
    s.cancel(ignored);
    sockaddr unspec{};
    unspec.sa_family = AF_UNSPEC;
    // Disconnected first also when it is closed next: a RST, not a FIN and a TIME_WAIT.
    bool reusable = ::connect(s.native_handle(), &unspec, sizeof unspec) == 0;
    auto& same = protocol.family() == AF_INET6 ? v6_ : v4_;
    if (!reusable || idle() >= max_idle_) {
        s.set_option(boost::asio::socket_base::linger(true, 0), ignored);
        s.close(ignored);
        return;
    }
    same.push_back(std::move(s));
}

} // namespace lvsd::director::checks
