// `lvs_method NAT|DR|TUN [type {ipip|gue port NUM|gre} [nocsum|csum|remcsum]]`: how IPVS reaches
// a real server, for a virtual_server and, overriding it, for one real_server.
#pragma once

namespace lvsd::director::config {

enum class LvsMethod { nat, dr, tun };

enum class TunnelType { ipip, gue, gre };
enum class TunnelChecksum { nocsum, csum, remcsum }; // remcsum: gue only; csum: gue and gre

struct TunnelOptions {
    TunnelType type = TunnelType::ipip;
    int port = 0; // gue only, and required there
    TunnelChecksum checksum = TunnelChecksum::nocsum;
    bool operator==(const TunnelOptions&) const = default;
};

} // namespace lvsd::director::config
