#include "net/udp_source.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lvsd::net {

namespace ip = boost::asio::ip;

namespace {

// IPv4 for a v4-mapped IPv6 address; anything else as it is.
ip::address unmapped(const ip::address& a) {
    if (a.is_v6() && a.to_v6().is_v4_mapped())
        return ip::make_address_v4(ip::v4_mapped, a.to_v6());
    return a;
}

} // namespace

std::string address_text(const ip::address& a) {
    auto u = unmapped(a);
    return u.is_v4() ? u.to_string() : ip::address_v6(u.to_v6().to_bytes()).to_string();
}

std::optional<ip::address> source_for(const ip::udp::endpoint& to) {
    int fd = ::socket(to.protocol().family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return std::nullopt;
    // A v4-mapped destination needs a dual-stack socket, whatever net.ipv6.bindv6only says.
    int off = 0;
    if (to.protocol() == ip::udp::v6())
        (void)::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    ip::udp::endpoint local(to.protocol(), 0);
    socklen_t len = static_cast<socklen_t>(local.capacity());
    bool ok = ::connect(fd, to.data(), static_cast<socklen_t>(to.size())) == 0 &&
              ::getsockname(fd, local.data(), &len) == 0;
    int saved = errno;
    ::close(fd);
    errno = saved;
    if (!ok)
        return std::nullopt;
    local.resize(len);
    return unmapped(local.address());
}

bool send_from(int fd, std::string_view datagram, const ip::udp::endpoint& to,
               const ip::address& from, bool fallback) {
    ip::address_v6 src =
        from.is_v4() ? ip::make_address_v6(ip::v4_mapped, from.to_v4()) : from.to_v6();
    iovec iov{const_cast<char*>(datagram.data()), datagram.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in6_pktinfo))] = {};
    msghdr m{};
    m.msg_name = const_cast<sockaddr*>(to.data());
    m.msg_namelen = static_cast<socklen_t>(to.size());
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    if (from.is_unspecified())
        return ::sendmsg(fd, &m, MSG_DONTWAIT) >= 0;
    m.msg_control = control;
    m.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
    in6_pktinfo info{};
    std::memcpy(&info.ipi6_addr, src.to_bytes().data(), sizeof info.ipi6_addr);
    if (src.is_link_local())
        info.ipi6_ifindex = static_cast<unsigned>(src.scope_id()); // nothing without its link
    std::memcpy(CMSG_DATA(c), &info, sizeof info);
    if (::sendmsg(fd, &m, MSG_DONTWAIT) >= 0)
        return true;
    if (!fallback || (errno != EINVAL && errno != EADDRNOTAVAIL))
        return false;
    m.msg_control = nullptr;
    m.msg_controllen = 0;
    return ::sendmsg(fd, &m, MSG_DONTWAIT) >= 0;
}

} // namespace lvsd::net
