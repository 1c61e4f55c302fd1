// The raw IP socket (protocol 112) of one VRRP instance: bound to its interface, TTL / hop limit
// 255 on everything it sends, the VRRP multicast group joined unless the instance is unicast.
// It moves bytes only; decoding and the protocol live in packet.h and state_machine.h.
#pragma once

#include "net/ip_address.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace lvsd::vrrp {

net::IpAddress multicast_group(int family); // 224.0.0.18 or ff02::12

struct Datagram {
    std::span<const uint8_t> payload; // valid until the next receive()
    net::IpAddress src;
    net::IpAddress dst;
    uint8_t ttl = 0;        // TTL or hop limit
    bool malformed = false; // an IPv4 header we could not read: count it, use nothing else
};

class VrrpSocket {
public:
    // Throws std::system_error naming the step that failed.
    VrrpSocket(int family, int ifindex, const std::string& ifname, bool join_multicast);
    ~VrrpSocket();
    VrrpSocket(const VrrpSocket&) = delete;
    VrrpSocket& operator=(const VrrpSocket&) = delete;

    int fd() const { return fd_; }
    // From src (an address of this host) to dst; errors are returned, not thrown: a send that
    // fails once (say, the link just went down) must not stop the instance.
    int send(std::span<const uint8_t> payload, const net::IpAddress& src,
             const net::IpAddress& dst);
    // Non-blocking; nullopt when nothing is pending.
    std::optional<Datagram> receive();

private:
    int fd_ = -1;
    int family_;
    int ifindex_;
    std::vector<uint8_t> buf_;
};

} // namespace lvsd::vrrp
