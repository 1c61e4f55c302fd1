// An entry of `track_interface` / `track_script`: NAME [weight N [reverse]]. A weight of 0 means
// failure takes the instance to FAULT; otherwise it moves the priority by the weight.
#pragma once

#include "conf/location.h"

#include <string>

namespace lvsd::director::config {

struct Tracked {
    conf::Location where;
    std::string name;
    int weight = 0;
    bool weight_set = false; // a vrrp_script's own weight applies when the entry gives none
    bool reverse = false;
};

} // namespace lvsd::director::config
