#include "vrrp/announcer.h"

#include "vrrp/announce.h"

#include <cerrno>
#include <cstring>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <system_error>
#include <unistd.h>

namespace lvsd::vrrp {

Announcer::Announcer() {
    arp_fd_ = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP));
    if (arp_fd_ < 0)
        throw std::system_error(errno, std::generic_category(), "cannot open an ARP socket");
    icmp6_fd_ = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
    if (icmp6_fd_ < 0) {
        // A host with IPv6 disabled still announces its IPv4 addresses.
        icmp6_fd_ = -1;
    } else {
        const int hops = 255;
        setsockopt(icmp6_fd_, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops);
        setsockopt(icmp6_fd_, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops);
    }
    // The ARP socket only sends: receive nothing into its queue.
    sockaddr_ll none{};
    none.sll_family = AF_PACKET;
    none.sll_protocol = 0;
    bind(arp_fd_, reinterpret_cast<sockaddr*>(&none), sizeof none);
}

Announcer::~Announcer() {
    close(arp_fd_);
    if (icmp6_fd_ >= 0)
        close(icmp6_fd_);
}

int Announcer::announce(int ifindex, const Mac& mac, const net::IpAddress& vip) {
    if (vip.is_v4()) {
        auto frame = gratuitous_arp(mac, vip);
        sockaddr_ll to{};
        to.sll_family = AF_PACKET;
        to.sll_protocol = htons(ETH_P_ARP);
        to.sll_ifindex = ifindex;
        to.sll_halen = 6;
        std::memset(to.sll_addr, 0xff, 6);
        if (sendto(arp_fd_, frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&to),
                   sizeof to) < 0)
            return errno;
        return 0;
    }
    if (icmp6_fd_ < 0)
        return EAFNOSUPPORT;
    auto na = unsolicited_na(mac, vip);
    sockaddr_in6 to{};
    to.sin6_family = AF_INET6;
    to.sin6_addr.s6_addr[0] = 0xff; // ff02::1, all nodes
    to.sin6_addr.s6_addr[1] = 0x02;
    to.sin6_addr.s6_addr[15] = 0x01;
    to.sin6_scope_id = static_cast<uint32_t>(ifindex);
    if (setsockopt(icmp6_fd_, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex) < 0)
        return errno;
    if (sendto(icmp6_fd_, na.data(), na.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0)
        return errno;
    return 0;
}

} // namespace lvsd::vrrp
