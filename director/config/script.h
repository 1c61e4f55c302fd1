// A command keepalived runs on an event (notify scripts, misc_path, quorum_up, ...).
#pragma once

#include "conf/location.h"

#include <string>

namespace lvsd::director::config {

struct Script {
    conf::Location where;
    std::string command; // as written: a path with arguments, run without a shell
    std::string user;    // optional `user [group]` after the command; empty = script_user
    std::string group;
};

} // namespace lvsd::director::config
