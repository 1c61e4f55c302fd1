// One entry of `virtual_routes` / `static_routes`. The common fields are typed; the rest of
// ip-route's syntax is kept as words so that a later issue can hand it on unchanged.
#pragma once

#include "conf/location.h"
#include "net/ip_address.h"

#include <optional>
#include <string>
#include <vector>

namespace lvsd::director::config {

struct VirtualRoute {
    conf::Location where;
    std::string type; // empty for unicast; blackhole, unreachable, prohibit, throw
    net::IpAddress destination;
    std::optional<net::IpAddress> source; // `src`
    std::optional<net::IpAddress> via;    // `via`, or the deprecated `gw`
    std::string dev;
    std::string table;
    std::string scope;
    std::optional<unsigned> metric;
    std::vector<std::string> other; // every further word, in order
};

} // namespace lvsd::director::config
