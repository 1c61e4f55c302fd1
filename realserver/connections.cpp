#include "connections.h"

#include <algorithm>
#include <fstream>
#include <netinet/in.h>
#include <sstream>

namespace lvsd::realserver {

namespace {

// /proc/net/tcp prints each 32-bit word of the address as the CPU reads it (%08X of a __be32),
// so on this little-endian host the bytes of each word come out reversed.
bool parse_address(const std::string& hex, net::IpAddress& out) {
    if (hex.size() != 8 && hex.size() != 32)
        return false;
    out = {};
    out.family = hex.size() == 8 ? AF_INET : AF_INET6;
    out.prefix_len = out.max_prefix();
    for (std::size_t w = 0; w < hex.size() / 8; ++w) {
        unsigned long v = std::stoul(hex.substr(w * 8, 8), nullptr, 16);
        for (int b = 0; b < 4; ++b)
            out.bytes[w * 4 + b] = static_cast<uint8_t>(v >> (8 * b));
    }
    // A dual-stack socket's IPv4 peers, ::ffff:a.b.c.d, are IPv4 connections.
    static constexpr uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (out.family == AF_INET6 && std::equal(v4_mapped, v4_mapped + 12, out.bytes.begin())) {
        net::IpAddress v4;
        v4.family = AF_INET;
        v4.prefix_len = v4.max_prefix();
        std::copy(out.bytes.begin() + 12, out.bytes.end(), v4.bytes.begin());
        out = v4;
    }
    return true;
}

} // namespace

int count_established(const std::string& text, const std::vector<net::IpAddress>& vips,
                      const std::vector<int>& ports) {
    // ESTABLISHED, and SYN_RECV: a handshake half done has a client whose ACK is on its way.
    constexpr const char* established = "01";
    constexpr const char* syn_recv = "03";
    std::istringstream in(text);
    std::string line;
    int n = 0;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string slot, local, remote, state;
        if (!(f >> slot >> local >> remote >> state) || (state != established && state != syn_recv))
            continue;
        auto colon = local.rfind(':');
        net::IpAddress a;
        if (colon == std::string::npos || !parse_address(local.substr(0, colon), a))
            continue;
        int port = std::stoi(local.substr(colon + 1), nullptr, 16);
        bool to_vip = std::any_of(vips.begin(), vips.end(), [&](const net::IpAddress& v) {
            return v.family == a.family && v.bytes == a.bytes;
        });
        bool to_port = ports.empty() || std::find(ports.begin(), ports.end(), port) != ports.end();
        n += to_vip && to_port;
    }
    return n;
}

int established_to(const std::vector<net::IpAddress>& vips, const std::vector<int>& ports) {
    int n = 0;
    for (const char* file : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream in(file);
        std::stringstream text;
        text << in.rdbuf();
        n += count_established(text.str(), vips, ports);
    }
    return n;
}

} // namespace lvsd::realserver
