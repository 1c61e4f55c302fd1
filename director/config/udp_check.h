// UDP_CHECK: send a datagram; without require_reply only an ICMP error counts as down.
#pragma once

#include <optional>
#include <string>

namespace lvsd::director::config {

struct UdpCheck {
    std::string payload; // hex as written
    bool require_reply = false;
    std::string reply_pattern; // hex after require_reply, empty: any reply
    std::optional<int> min_reply_length;
    std::optional<int> max_reply_length;
};

} // namespace lvsd::director::config
