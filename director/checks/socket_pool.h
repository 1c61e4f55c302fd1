// Idle TCP sockets kept for the next checks. A check that ends gives its socket back; the pool
// disconnects it (connect() with AF_UNSPEC: a RST to a peer still connected, nothing to one
// that is not; the socket can connect again) and hands it to the next check of the same family,
// the longest idle first: the disconnect leaves an event for the socket in epoll, and the loop
// has most likely taken it by then, so it does not wake the next check for nothing.
// At thousands of checks a second that spares each check socket(), close(), two epoll_ctl()
// and a FIONBIO, which together cost more than the connect itself. Sockets with per-target
// options (SO_MARK, a device, a bound address) are not pooled.
//
// A reused socket's next connection continues its sequence numbers (Linux picks a random ISN
// only for a socket's first connect): whoever saw one check's SYN can guess the next ISN of
// that socket, towards any real server. Forging a check's answer still takes spoofing the real
// server's address to the director.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstddef>
#include <deque>

namespace lvsd::director::checks {

class SocketPool {
public:
    explicit SocketPool(boost::asio::io_context& io, size_t max_idle = 1024)
        : io_(io), max_idle_(max_idle) {}

    // An idle socket of `protocol`'s family, or a newly opened one.
    boost::asio::ip::tcp::socket take(const boost::asio::ip::tcp& protocol,
                                      boost::system::error_code& ec);
    // Takes back a socket whose check has ended, whatever state it is in (pending operations
    // are cancelled). Closes it instead when it will not disconnect or enough are idle.
    void give(boost::asio::ip::tcp::socket s, const boost::asio::ip::tcp& protocol);

    size_t idle() const { return v4_.size() + v6_.size(); }

private:
    boost::asio::io_context& io_;
    size_t max_idle_;
    std::deque<boost::asio::ip::tcp::socket> v4_, v6_;
};

} // namespace lvsd::director::checks
