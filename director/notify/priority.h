// An instance's effective priority from its configured priority and what it tracks (scripts,
// interfaces), per keepalived.conf(5):
//  - weight 0: the item being down puts the instance in FAULT (with reverse: being up does);
//  - weight > 0: added while the item is up (reverse: subtracted while it is up);
//  - weight < 0: added (so subtracted) while the item is down (reverse: |weight| added while
//    down);
//  - the result is kept within 1..254;
//  - the address owner (priority 255) keeps 255: weights do not apply to it (keepalived insists
//    its tracked items have weight 0), only FAULT does.
#pragma once

#include "director/config/tracked.h"
#include "director/config/vrrp_script.h"

#include <optional>
#include <vector>

namespace lvsd::director::notify {

struct TrackedState {
    int weight = 0;
    bool reverse = false;
    bool up = true;
};

struct EffectivePriority {
    int priority = 0;
    bool fault = false;
    bool operator==(const EffectivePriority&) const = default;
};

EffectivePriority effective_priority(int base, const std::vector<TrackedState>& tracked);

// A `track_script` entry's weight and reverse: the entry's own when it gives a weight, else the
// vrrp_script's.
TrackedState tracked_script(const config::Tracked& entry, const config::VrrpScript& script,
                            bool up);

} // namespace lvsd::director::notify
