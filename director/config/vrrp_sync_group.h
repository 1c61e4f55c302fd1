// `vrrp_sync_group NAME { group { VI_1 VI_2 } ... }`: instances that change state together, so that
// both sides of a NAT router move at once.
#pragma once

#include "conf/location.h"
#include "director/config/notify.h"
#include "director/config/tracked.h"

#include <optional>
#include <string>
#include <vector>

namespace lvsd::director::config {

struct GroupMember {
    conf::Location where;
    std::string name;
};

struct VrrpSyncGroup {
    conf::Location where;
    std::string name;
    std::vector<GroupMember> group;
    std::vector<Tracked> track_interface;
    std::vector<Tracked> track_script;
    Notify notify;
    std::optional<bool> smtp_alert;
};

} // namespace lvsd::director::config
