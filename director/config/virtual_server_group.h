// `virtual_server_group NAME { ... }`: several addresses, ranges or fwmarks served by one
// `virtual_server group NAME` definition.
#pragma once

#include "conf/location.h"
#include "net/ip_address.h"

#include <string>
#include <vector>

namespace lvsd::director::config {

struct VirtualServerGroupEntry {
    conf::Location where;
    bool is_fwmark = false;
    unsigned fwmark = 0;
    net::IpAddress address; // the first address of a range ADDR-LAST
    int range_last = -1;    // last value of the final octet/hextet, -1: single address
    int port = 0;
};

struct VirtualServerGroup {
    conf::Location where;
    std::string name;
    std::vector<VirtualServerGroupEntry> entries;
};

} // namespace lvsd::director::config
