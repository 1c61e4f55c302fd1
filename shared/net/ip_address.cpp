#include "net/ip_address.h"

#include <arpa/inet.h>
#include <charconv>

namespace lvsd::net {

bool IpAddress::is_v4() const {
    return family == AF_INET;
}
int IpAddress::max_prefix() const {
    return is_v4() ? 32 : 128;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    IpAddress a;
    std::string addr(text.substr(0, text.find('/')));
    if (inet_pton(AF_INET, addr.c_str(), a.bytes.data()) == 1)
        a.family = AF_INET;
    else if (inet_pton(AF_INET6, addr.c_str(), a.bytes.data()) == 1)
        a.family = AF_INET6;
    else
        return std::nullopt;
    a.prefix_len = a.max_prefix();
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
        std::string_view len = text.substr(slash + 1);
        int v = -1;
        auto [p, ec] = std::from_chars(len.data(), len.data() + len.size(), v);
        if (ec != std::errc() || p != len.data() + len.size() || v < 0 || v > a.max_prefix())
            return std::nullopt;
        a.prefix_len = v;
    }
    return a;
}

std::string IpAddress::str() const {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(family, bytes.data(), buf, sizeof buf);
    return buf;
}

std::string IpAddress::str_prefixed() const {
    return str() + "/" + std::to_string(prefix_len);
}

} // namespace lvsd::net
