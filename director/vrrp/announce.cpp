#include "vrrp/announce.h"

#include <stdexcept>

namespace lvsd::vrrp {

std::vector<uint8_t> gratuitous_arp(std::span<const uint8_t, 6> mac, const net::IpAddress& vip) {
    if (!vip.is_v4())
        throw std::invalid_argument("gratuitous ARP needs an IPv4 address");
    std::vector<uint8_t> p = {
        0x00, 0x01, // hardware type: Ethernet
        0x08, 0x00, // protocol type: IPv4
        6,    4,    // address lengths
        0x00, 0x01, // request: answered by nobody, updates every cache that has the address
    };
    p.insert(p.end(), mac.begin(), mac.end());                   // sender MAC
    p.insert(p.end(), vip.bytes.begin(), vip.bytes.begin() + 4); // sender IP
    p.insert(p.end(), 6, 0x00);                                  // target MAC: unknown
    p.insert(p.end(), vip.bytes.begin(), vip.bytes.begin() + 4); // target IP = sender IP
    return p;
}

std::vector<uint8_t> unsolicited_na(std::span<const uint8_t, 6> mac, const net::IpAddress& vip) {
    if (vip.is_v4())
        throw std::invalid_argument("a neighbour advertisement needs an IPv6 address");
    std::vector<uint8_t> p = {
        136,  0,       // type: neighbour advertisement, code 0
        0,    0,       // checksum: kernel
        0x20, 0, 0, 0, // flags: Override (not Solicited: nobody asked; not Router)
    };
    p.insert(p.end(), vip.bytes.begin(), vip.bytes.end()); // target address
    p.push_back(2);                                        // option: target link-layer address
    p.push_back(1);                                        // length in units of 8 bytes
    p.insert(p.end(), mac.begin(), mac.end());
    return p;
}

} // namespace lvsd::vrrp
