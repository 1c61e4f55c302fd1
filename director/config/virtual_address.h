// One entry of `virtual_ipaddress` / `virtual_ipaddress_excluded`:
// ADDR[/LEN] [brd ADDR] [dev IF] [scope S] [label L] [no_track] ...
#pragma once

#include "conf/location.h"
#include "net/ip_address.h"

#include <optional>
#include <string>

namespace lvsd::director::config {

struct VirtualAddress {
    conf::Location where;
    net::IpAddress address; // prefix_len is the /LEN, or the full length when not written
    std::optional<net::IpAddress> broadcast;
    std::string dev;   // empty: the instance's interface
    std::string scope; // empty: global
    std::string label;
    bool no_track = false;
};

} // namespace lvsd::director::config
