// One `vrrp_script`: runs it every `interval` (never two runs at once), kills a run that exceeds
// `timeout` (0: the interval) and counts it failed, turns exit status 0 into success, and reports
// up/down changes after `rise`/`fall` results (see ScriptHealth). What up/down does to an
// instance (weight, reverse, FAULT) is effective_priority()'s business, not this class's.
#pragma once

#include "director/config/vrrp_script.h"
#include "director/notify/script_health.h"
#include "director/notify/script_runner.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>

namespace lvsd::director::notify {

class ScriptTracker {
public:
    using Clock = std::chrono::steady_clock;
    using OnChange = std::function<void(bool up)>;

    ScriptTracker(boost::asio::io_context& io, ScriptRunner& runner, config::VrrpScript script,
                  OnChange on_change);
    ScriptTracker(const ScriptTracker&) = delete;
    ScriptTracker& operator=(const ScriptTracker&) = delete;
    ~ScriptTracker();

    // After a reload, before start(): the verdict of the old configuration's tracker of the
    // same script, so that a reload does not reset a failing script to up (its weight back,
    // maybe a preemption) until its first run.
    void inherit(const ScriptTracker& old);
    // First run now, then every interval.
    void start();
    bool up() const { return health_.up(); }
    const config::VrrpScript& script() const { return script_; }
    // Results seen so far: lets tests and the stats dump tell "not run yet" apart.
    uint64_t runs() const { return runs_; }
    // The script cannot be run at all (no command, unknown user, refused by
    // enable_script_security): it is not run again, and, as keepalived drops such a script,
    // instances should leave it out of their priority and FAULT computation.
    bool disabled() const { return disabled_; }

private:
    void run_once();
    void on_result(const ExitStatus& s, Clock::time_point started);

    ScriptRunner& runner_;
    config::VrrpScript script_;
    OnChange on_change_;
    ScriptHealth health_;
    boost::asio::steady_timer timer_;
    Clock::duration interval_;
    Clock::duration timeout_;
    uint64_t runs_ = 0;
    bool disabled_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace lvsd::director::notify
