#include "vrrp/vrrp_socket.h"

#include "vrrp/ipv4_header.h"
#include "vrrp/packet.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <system_error>
#include <unistd.h>

namespace lvsd::vrrp {

net::IpAddress multicast_group(int family) {
    return *net::IpAddress::parse(family == AF_INET ? "224.0.0.18" : "ff02::12");
}

static void fail(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

template <class T>
static void setopt(int fd, int level, int name, const T& value, const char* what) {
    if (setsockopt(fd, level, name, &value, sizeof value) < 0)
        fail(what);
}

VrrpSocket::VrrpSocket(int family, int ifindex, const std::string& ifname, bool join_multicast)
    : family_(family), ifindex_(ifindex), buf_(65536) {
    fd_ = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, kIpProtocol);
    if (fd_ < 0)
        fail("cannot open a raw VRRP socket");
    try {
        // Only this interface's packets: another instance with the same VRID may run elsewhere.
        if (setsockopt(fd_, SOL_SOCKET, SO_BINDTODEVICE, ifname.c_str(), ifname.size()) < 0)
            fail("cannot bind the VRRP socket to " + ifname);
        const int ttl = kRequiredTtl, off = 0, on = 1;
        if (family == AF_INET) {
            setopt(fd_, IPPROTO_IP, IP_TTL, ttl, "IP_TTL");
            setopt(fd_, IPPROTO_IP, IP_MULTICAST_TTL, ttl, "IP_MULTICAST_TTL");
            setopt(fd_, IPPROTO_IP, IP_MULTICAST_LOOP, off, "IP_MULTICAST_LOOP");
            ip_mreqn m{};
            m.imr_ifindex = ifindex;
            setopt(fd_, IPPROTO_IP, IP_MULTICAST_IF, m, "IP_MULTICAST_IF");
            if (join_multicast) {
                std::memcpy(&m.imr_multiaddr, multicast_group(AF_INET).bytes.data(), 4);
                setopt(fd_, IPPROTO_IP, IP_ADD_MEMBERSHIP, m, "cannot join 224.0.0.18");
            }
        } else {
            setopt(fd_, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl, "IPV6_UNICAST_HOPS");
            setopt(fd_, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, ttl, "IPV6_MULTICAST_HOPS");
            setopt(fd_, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, off, "IPV6_MULTICAST_LOOP");
            setopt(fd_, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex, "IPV6_MULTICAST_IF");
            // The IPv6 header is not delivered: ask for the hop limit and destination.
            setopt(fd_, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, on, "IPV6_RECVHOPLIMIT");
            setopt(fd_, IPPROTO_IPV6, IPV6_RECVPKTINFO, on, "IPV6_RECVPKTINFO");
            if (join_multicast) {
                ipv6_mreq m{};
                std::memcpy(&m.ipv6mr_multiaddr, multicast_group(AF_INET6).bytes.data(), 16);
                m.ipv6mr_interface = static_cast<unsigned>(ifindex);
                setopt(fd_, IPPROTO_IPV6, IPV6_JOIN_GROUP, m, "cannot join ff02::12");
            }
        }
    } catch (...) {
        close(fd_);
        throw;
    }
}

VrrpSocket::~VrrpSocket() {
    close(fd_);
}

int VrrpSocket::send(std::span<const uint8_t> payload, const net::IpAddress& src,
                     const net::IpAddress& dst) {
    iovec iov{const_cast<uint8_t*>(payload.data()), payload.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in6_pktinfo))] = {};
    msg.msg_control = control;
    cmsghdr* c = reinterpret_cast<cmsghdr*>(control);
    sockaddr_storage to{};
    // The source goes in per packet (pktinfo): binding the socket to it would also filter what
    // it receives by destination, and multicast adverts would no longer arrive.
    if (family_ == AF_INET) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&to);
        sin->sin_family = AF_INET;
        std::memcpy(&sin->sin_addr, dst.bytes.data(), 4);
        msg.msg_namelen = sizeof(sockaddr_in);
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
        in_pktinfo pi{};
        pi.ipi_ifindex = ifindex_;
        std::memcpy(&pi.ipi_spec_dst, src.bytes.data(), 4);
        std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
        msg.msg_controllen = CMSG_SPACE(sizeof(in_pktinfo));
    } else {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&to);
        sin6->sin6_family = AF_INET6;
        std::memcpy(&sin6->sin6_addr, dst.bytes.data(), 16);
        sin6->sin6_scope_id = static_cast<uint32_t>(ifindex_);
        msg.msg_namelen = sizeof(sockaddr_in6);
        c->cmsg_level = IPPROTO_IPV6;
        c->cmsg_type = IPV6_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
        in6_pktinfo pi{};
        pi.ipi6_ifindex = static_cast<unsigned>(ifindex_);
        std::memcpy(&pi.ipi6_addr, src.bytes.data(), 16);
        std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
        msg.msg_controllen = CMSG_SPACE(sizeof(in6_pktinfo));
    }
    msg.msg_name = &to;
    if (sendmsg(fd_, &msg, MSG_DONTWAIT) < 0)
        return errno;
    return 0;
}

std::optional<Datagram> VrrpSocket::receive() {
    sockaddr_storage from{};
    iovec iov{buf_.data(), buf_.size()};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[256];
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = recvmsg(fd_, &msg, MSG_DONTWAIT);
    if (n < 0)
        return std::nullopt; // EAGAIN, or an error the next readiness reports again
    Datagram d;
    std::span<const uint8_t> bytes(buf_.data(), static_cast<std::size_t>(n));
    if (family_ == AF_INET) {
        auto ip = parse_ipv4(bytes);
        if (!ip || ip->protocol != kIpProtocol) {
            d.malformed = true;
            return d;
        }
        d.payload = ip->payload;
        d.src = ip->src;
        d.dst = ip->dst;
        d.ttl = ip->ttl;
        return d;
    }
    d.payload = bytes;
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&from);
    d.src.family = AF_INET6;
    d.src.prefix_len = 128;
    std::memcpy(d.src.bytes.data(), &sin6->sin6_addr, 16);
    d.dst.family = AF_INET6;
    d.dst.prefix_len = 128;
    bool have_hops = false, have_dst = false;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != IPPROTO_IPV6)
            continue;
        if (c->cmsg_type == IPV6_HOPLIMIT) {
            int hops = 0;
            std::memcpy(&hops, CMSG_DATA(c), sizeof hops);
            d.ttl = static_cast<uint8_t>(hops);
            have_hops = true;
        } else if (c->cmsg_type == IPV6_PKTINFO) {
            in6_pktinfo pi{};
            std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
            std::memcpy(d.dst.bytes.data(), &pi.ipi6_addr, 16);
            have_dst = true;
        }
    }
    d.malformed = !have_hops || !have_dst;
    return d;
}

} // namespace lvsd::vrrp
