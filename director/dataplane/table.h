// The forwarding table: virtual services and their destinations (real servers), the way the
// kernel's IPVS holds them. Backend-neutral and pure: the desired table is computed from the
// configuration, the actual one is read from the kernel, and diff() compares the two.
#pragma once

#include "net/ip_address.h"

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace lvsd::director::dataplane {

enum class Protocol : uint16_t { tcp = 6, udp = 17, sctp = 132 }; // IPPROTO_* values

// How a destination is reached (IP_VS_CONN_F_* forwarding methods). `local` is only ever read.
enum class Forward : uint32_t { nat = 0, local = 1, tun = 2, dr = 3 };

enum class TunnelType : uint8_t { ipip = 0, gue = 1, gre = 2 }; // IP_VS_CONN_F_TUNNEL_TYPE_*

// Service flags as IPVS defines them (IP_VS_SVC_F_*). `persistent` and `hashed` are not kept
// here: persistence is Service::persistence, and the kernel sets `hashed` on its own.
namespace service_flag {
inline constexpr uint32_t persistent = 0x01;
inline constexpr uint32_t hashed = 0x02;
inline constexpr uint32_t one_packet = 0x04;
inline constexpr uint32_t sched1 = 0x08; // sh-fallback / mh-fallback
inline constexpr uint32_t sched2 = 0x10; // sh-port / mh-port
inline constexpr uint32_t sched3 = 0x20;
} // namespace service_flag

// Tunnel encapsulation flags (IP_VS_TUNNEL_ENCAP_FLAG_*).
namespace tunnel_flag {
inline constexpr uint16_t csum = 0x1;
inline constexpr uint16_t remcsum = 0x2;
} // namespace tunnel_flag

// Traffic counters; read from the kernel only, never compared by diff().
struct Stats {
    uint64_t conns = 0, inpkts = 0, outpkts = 0, inbytes = 0, outbytes = 0;
    uint64_t cps = 0, inpps = 0, outpps = 0, inbps = 0, outbps = 0;
    bool operator==(const Stats&) const = default;
};

// A service's identity: protocol + address + port, or a firewall mark; both with a family.
struct ServiceKey {
    int family = 0;      // AF_INET or AF_INET6
    uint32_t fwmark = 0; // non-zero: a fwmark service; protocol, address and port are unused
    Protocol protocol = Protocol::tcp;
    net::IpAddress address; // prefix_len is ignored
    uint16_t port = 0;

    static ServiceKey by_address(Protocol p, const net::IpAddress& a, uint16_t port);
    static ServiceKey by_fwmark(int family, uint32_t mark);
    std::string str() const; // "TCP 10.0.0.1:80", "TCP [fd00::1]:80", "FWM 7 IPv6"
};
std::strong_ordering operator<=>(const ServiceKey& a, const ServiceKey& b);
bool operator==(const ServiceKey& a, const ServiceKey& b);

// A destination's identity within its service.
struct DestinationKey {
    net::IpAddress address; // its family may differ from the service's (tunnelled destinations)
    uint16_t port = 0;
    std::string str() const; // "10.0.0.2:80", "[fd00::2]:80"
};
std::strong_ordering operator<=>(const DestinationKey& a, const DestinationKey& b);
bool operator==(const DestinationKey& a, const DestinationKey& b);

struct Destination {
    DestinationKey key;
    Forward forward = Forward::nat;
    int weight = 1;           // 0: drained, no new connections
    uint32_t u_threshold = 0; // 0: no limit
    uint32_t l_threshold = 0;
    TunnelType tunnel_type = TunnelType::ipip; // forward == tun only
    uint16_t tunnel_port = 0;                  // gue only
    uint16_t tunnel_flags = 0;                 // tunnel_flag::*, gue and gre only
    // Read from the kernel only:
    uint32_t active_conns = 0, inactive_conns = 0, persist_conns = 0;
    Stats stats;
};

// Settings diff() compares, i.e. what IPVS lets one change with an edit.
bool same_settings(const Destination& a, const Destination& b);

struct Persistence {
    uint32_t timeout = 0; // seconds, > 0
    int prefix_len = 0;   // persistence granularity as a prefix (IPv4 mask 255.255.255.0: 24)
    bool operator==(const Persistence&) const = default;
};

struct Service {
    ServiceKey key;
    std::string scheduler = "wlc";
    uint32_t flags = 0; // service_flag::one_packet | sched1..3
    std::optional<Persistence> persistence;
    std::string pe_name; // persistence engine ("sip"), empty: none
    Stats stats;         // read from the kernel only
    std::map<DestinationKey, Destination> destinations;

    Destination& add(const Destination& d) { return destinations[d.key] = d; }
};

// Scheduler, flags and persistence; not the key, the destinations or the counters.
bool same_settings(const Service& a, const Service& b);

struct Table {
    std::map<ServiceKey, Service> services;

    Service& add(const Service& s) { return services[s.key] = s; }
    bool operator==(const Table&) const; // keys and settings, recursively; not counters
};

std::string str(Protocol p);                                // "TCP", "UDP", "SCTP"
std::string str(Forward f);                                 // "NAT", "DR", "TUN", "Local"
std::string str(TunnelType t);                              // "ipip", "gue", "gre"
std::optional<Protocol> parse_protocol(std::string_view s); // case-insensitive
std::optional<Forward> parse_forward(std::string_view s);   // case-insensitive
std::optional<TunnelType> parse_tunnel_type(std::string_view s);

// An IPv4 netmask or IPv6 mask as a prefix length; nullopt if its one bits are not contiguous.
std::optional<int> mask_prefix(const net::IpAddress& mask);

} // namespace lvsd::director::dataplane
