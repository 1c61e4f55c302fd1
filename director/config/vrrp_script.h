// `vrrp_script NAME { ... }`: a command run periodically; instances tracking it change priority or
// go to FAULT by its result.
#pragma once

#include "conf/location.h"
#include "director/config/script.h"

#include <string>

namespace lvsd::director::config {

struct VrrpScript {
    conf::Location where;
    std::string name;
    Script script;       // command empty: not set, which keepalived drops the script for
    double interval = 1; // seconds between runs
    double timeout = 0;  // 0: the interval
    int weight = 0;
    bool reverse = false;
    int rise = 1; // successes needed to count as up
    int fall = 1; // failures needed to count as down
    bool init_fail = false;
};

} // namespace lvsd::director::config
