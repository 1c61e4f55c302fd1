#include "agent/replay_guard.h"

namespace lvsd::agent {

Verdict ReplayGuard::check(const Report& r, int64_t now_ms) {
    if (r.time_ms < now_ms - window_ms_ || r.time_ms > now_ms + window_ms_)
        return Verdict::out_of_window;
    auto it = last_.find(r.host);
    if (it != last_.end()) {
        // A restarted sender begins again at 1 with a later clock: accepted by its time.
        bool newer = r.seq > it->second.seq || r.time_ms > it->second.time_ms + window_ms_ ||
                     (r.seq < it->second.seq && r.time_ms > it->second.time_ms);
        if (!newer)
            return Verdict::replayed;
    }
    last_[r.host] = {r.seq, r.time_ms};
    return Verdict::fresh;
}

} // namespace lvsd::agent
