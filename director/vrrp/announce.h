// The frames a new master sends so that neighbours move the VIPs to its MAC at once: gratuitous
// ARP for IPv4 (RFC 5227 section 3 style, sender = target = VIP) and unsolicited neighbour
// advertisements for IPv6 (RFC 4861 section 7.2.6, override flag set). Pure builders; the shell
// (announcer.h) sends them.
#pragma once

#include "net/ip_address.h"

#include <cstdint>
#include <span>
#include <vector>

namespace lvsd::vrrp {

// The ARP packet (28 bytes) for an Ethernet frame to ff:ff:ff:ff:ff:ff with type 0x0806.
std::vector<uint8_t> gratuitous_arp(std::span<const uint8_t, 6> mac, const net::IpAddress& vip);

// The ICMPv6 message (type 136) for ff02::1, checksum left zero: the kernel fills it in for
// ICMPv6 raw sockets.
std::vector<uint8_t> unsolicited_na(std::span<const uint8_t, 6> mac, const net::IpAddress& vip);

} // namespace lvsd::vrrp
