// The pure part of health checking: one checker's up/down state with keepalived's retry rules,
// a real server's health from its checkers, and a virtual server's quorum with hysteresis. No
// I/O and no clocks: results go in, transitions and the delay until the next check come out.
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace lvsd::director::checks {

using Duration = std::chrono::steady_clock::duration;

// What one run of a checker found.
struct Result {
    bool ok = false;
    std::optional<int> weight; // MISC_CHECK misc_dynamic: the weight the script asked for
    std::string reason;        // why it failed (or what it saw), for logs
};

// How persistently one checker retries, from its config (defaults already applied).
struct Timing {
    Duration delay_loop = std::chrono::seconds(60);
    Duration delay_before_retry = std::chrono::seconds(1);
    int retry = 1;      // failed checks retried this many times before an up server goes down
    bool alpha = false; // start down; the first success brings the server up
};

// One checker's state. An up checker that fails is retried `retry` times, `delay_before_retry`
// apart, and goes down only when every retry failed too; a down checker comes up on its first
// success. A success while up may still change the weight (misc_dynamic).
class CheckState {
public:
    explicit CheckState(const Timing& t);

    struct Step {
        bool changed = false; // up() or weight() differ from before
        Duration next{};      // when to run the checker again
    };
    Step on_result(const Result& r);

    bool up() const { return up_; }
    std::optional<int> weight() const { return weight_; }
    int retries_left() const { return retries_left_; }
    const Timing& timing() const { return timing_; }
    // Takes over another checker's verdict after a reload, and the failures it has counted
    // towards its retries (within this one's retry): reloads more frequent than delay_loop
    // must not keep a dead server up by starting its count again each time.
    void assume(const CheckState& other) {
        up_ = other.up_;
        weight_ = other.weight_;
        int failed = std::max(0, other.timing_.retry) - other.retries_left_;
        retries_left_ = std::max(0, std::max(0, timing_.retry) - failed);
    }
    // An up checker with failures counted: its next check is a retry.
    bool retrying() const { return up_ && retries_left_ < std::max(0, timing_.retry); }

private:
    Timing timing_;
    bool up_;
    std::optional<int> weight_;
    int retries_left_;
};

// A real server is up when every one of its checkers is (no checkers: always up). Its weight is
// the configured one, moved by each dynamic checker by (its weight - configured), as keepalived
// does: with one dynamic checker, the weight it asked for. Clamped to 0..65535.
struct ServerHealth {
    bool up = true;
    int weight = 1;
    bool operator==(const ServerHealth&) const = default;
};
ServerHealth server_health(const std::vector<const CheckState*>& checkers, int configured_weight);

// A virtual server's quorum: lost when the live weight drops below quorum - hysteresis, regained
// when it reaches quorum + hysteresis; in between it keeps its state.
class Quorum {
public:
    Quorum(int quorum, int hysteresis, int live_weight);
    bool up() const { return up_; }
    bool update(int live_weight);      // true: up() changed
    void assume(bool up) { up_ = up; } // a reload keeps the verdict (hysteresis holds)

private:
    int quorum_, hysteresis_;
    bool up_;
};

} // namespace lvsd::director::checks
