// A vrrp_script's up/down state from its results, per keepalived.conf(5): it starts up (down with
// init_fail); `fall` consecutive failures take it down, `rise` consecutive successes bring it back.
// A result that agrees with the current state resets the opposite count.
#pragma once

namespace lvsd::director::notify {

class ScriptHealth {
public:
    ScriptHealth(int rise, int fall, bool init_fail)
        : rise_(rise < 1 ? 1 : rise), fall_(fall < 1 ? 1 : fall), up_(!init_fail) {}

    // Records one run's result; true when this changed up().
    bool record(bool success);
    bool up() const { return up_; }
    // A reload's tracker of the same script takes over the verdict; the counting starts again
    // under its own rise and fall.
    void assume(bool up) {
        up_ = up;
        streak_ = 0;
    }

private:
    int rise_;
    int fall_;
    bool up_;
    int streak_ = 0; // consecutive results against the current state
};

} // namespace lvsd::director::notify
