// Sends the frames of announce.h: gratuitous ARP through a packet socket, unsolicited neighbour
// advertisements through an ICMPv6 raw socket (hop limit 255, as RFC 4861 requires).
#pragma once

#include "net/ip_address.h"

#include <array>
#include <cstdint>

namespace lvsd::vrrp {

using Mac = std::array<uint8_t, 6>;

class Announcer {
public:
    Announcer(); // throws std::system_error
    ~Announcer();
    Announcer(const Announcer&) = delete;
    Announcer& operator=(const Announcer&) = delete;

    // errno on failure, 0 when sent.
    int announce(int ifindex, const Mac& mac, const net::IpAddress& vip);

private:
    int arp_fd_ = -1;
    int icmp6_fd_ = -1;
};

} // namespace lvsd::vrrp
