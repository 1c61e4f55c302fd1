// `real_server ADDR PORT { ... }` inside a virtual_server: one backend and its checkers.
#pragma once

#include "conf/location.h"
#include "director/config/checker.h"
#include "director/config/lvs_method.h"
#include "director/config/script.h"
#include "net/ip_address.h"

#include <optional>
#include <vector>

namespace lvsd::director::config {

struct RealServer {
    conf::Location where;
    net::IpAddress address;
    int port = 0; // 0: not written (fwmark services)
    int weight = 1;
    std::optional<LvsMethod> lvs_method;    // unset: the virtual server's (and its tunnel options)
    TunnelOptions tunnel;                   // lvs_method tun
    std::optional<bool> inhibit_on_failure; // unset: the virtual server's
    std::optional<Script> notify_up;
    std::optional<Script> notify_down;
    int uthreshold = 0; // 0: no limit
    int lthreshold = 0;
    std::vector<Checker> checkers;
};

} // namespace lvsd::director::config
