// Refuses a report that was already seen or is too old: per sender, the sequence number must grow
// and the sender's clock must be within a window of ours (which bounds replays across a restart
// of the receiver, when the last sequence number is unknown).
#pragma once

#include "agent/report.h"

#include <chrono>
#include <map>
#include <string>

namespace lvsd::agent {

enum class Verdict { fresh, replayed, out_of_window };

class ReplayGuard {
public:
    explicit ReplayGuard(std::chrono::milliseconds window = std::chrono::seconds(30))
        : window_ms_(window.count()) {}
    // Accepting a report records its sequence number.
    Verdict check(const Report& r, int64_t now_ms);

private:
    struct Seen {
        uint64_t seq = 0;
        int64_t time_ms = 0;
    };
    int64_t window_ms_;
    std::map<std::string, Seen> last_; // by host
};

} // namespace lvsd::agent
