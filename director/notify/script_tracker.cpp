#include "director/notify/script_tracker.h"

#include "log/log.h"

namespace lvsd::director::notify {

namespace {

ScriptTracker::Clock::duration seconds(double s) {
    return std::chrono::duration_cast<ScriptTracker::Clock::duration>(
        std::chrono::duration<double>(s));
}

} // namespace

ScriptTracker::ScriptTracker(boost::asio::io_context& io, ScriptRunner& runner,
                             config::VrrpScript script, OnChange on_change)
    : runner_(runner), script_(std::move(script)), on_change_(std::move(on_change)),
      health_(script_.rise, script_.fall, script_.init_fail), timer_(io),
      interval_(seconds(script_.interval > 0 ? script_.interval : 1)),
      timeout_(script_.timeout > 0 ? seconds(script_.timeout) : interval_) {}

ScriptTracker::~ScriptTracker() {
    timer_.cancel();
}

void ScriptTracker::inherit(const ScriptTracker& old) {
    if (old.script_.script.command != script_.script.command || old.disabled_ || old.runs_ == 0)
        return; // another script, or one without a verdict yet: it starts as configured
    health_.assume(old.up());
    runs_ = old.runs_;
}

void ScriptTracker::start() {
    if (script_.script.command.empty()) {
        // keepalived drops a vrrp_script without `script`; so do we, loudly.
        log::error(script_.where.str() + ": vrrp_script " + script_.name +
                   " has no script: not run");
        disabled_ = true;
        return;
    }
    run_once();
}

void ScriptTracker::run_once() {
    auto started = Clock::now();
    std::weak_ptr<bool> alive = alive_;
    runner_.run(script_.script, {}, timeout_, [this, alive, started](const ExitStatus& s) {
        if (alive.expired())
            return;
        on_result(s, started);
    });
}

void ScriptTracker::on_result(const ExitStatus& s, Clock::time_point started) {
    if (s.kind == ExitStatus::Kind::refused) {
        // The runner logged why; retrying every interval would only repeat it.
        log::error("vrrp_script " + script_.name + " disabled");
        disabled_ = true;
        return;
    }
    ++runs_;
    std::weak_ptr<bool> alive = alive_;
    bool was_up = health_.up();
    if (health_.record(s.success())) {
        log::info("vrrp_script " + script_.name + (health_.up() ? " up" : " down") + " (last run " +
                  describe(s) + ")");
        on_change_(!was_up);
        if (alive.expired()) // the callback destroyed this tracker
            return;
    }
    // Every interval from the start of the last run; a run that took longer is followed at once.
    timer_.expires_at(std::max(started + interval_, Clock::now()));
    timer_.async_wait([this, alive](const boost::system::error_code& ec) {
        if (ec || alive.expired())
            return;
        run_once();
    });
}

} // namespace lvsd::director::notify
