#include "director/notify/priority.h"

#include <algorithm>

namespace lvsd::director::notify {

EffectivePriority effective_priority(int base, const std::vector<TrackedState>& tracked) {
    EffectivePriority out{base, false};
    int delta = 0;
    for (const auto& t : tracked) {
        if (t.weight == 0) {
            if (t.up == t.reverse)
                out.fault = true;
            continue;
        }
        int magnitude = t.weight > 0 ? t.weight : -t.weight;
        int sign = t.reverse ? -1 : 1;
        if (t.weight > 0 && t.up)
            delta += sign * magnitude;
        else if (t.weight < 0 && !t.up)
            delta -= sign * magnitude;
    }
    if (base >= 255)
        return out; // the owner: 255 whatever the weights
    out.priority = std::clamp(base + delta, 1, 254);
    return out;
}

TrackedState tracked_script(const config::Tracked& entry, const config::VrrpScript& script,
                            bool up) {
    if (entry.weight_set)
        return {entry.weight, entry.reverse, up};
    return {script.weight, script.reverse, up};
}

} // namespace lvsd::director::notify
