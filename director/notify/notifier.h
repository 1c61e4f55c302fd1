// Tells the outside world about VRRP state changes: runs an instance's or sync group's notify
// scripts and, when smtp_alert is on, sends an e-mail. The scripts of one instance (or group) run
// one after the other in the order of the events, so a quick MASTER→BACKUP→MASTER cannot reach
// the scripts out of order; different instances do not wait for each other. Mail goes out in
// parallel with the scripts and does not hold them up.
#pragma once

#include "director/config/global_defs.h"
#include "director/config/vrrp_instance.h"
#include "director/config/vrrp_sync_group.h"
#include "director/notify/notify_event.h"
#include "director/notify/script_runner.h"
#include "director/notify/smtp_client.h"

#include <boost/asio/io_context.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace lvsd::director::notify {

class Notifier {
public:
    using Clock = std::chrono::steady_clock;

    // keepalived does not bound notify scripts; a bound is needed here because a hung script
    // would hold back every later notification of its instance.
    Notifier(boost::asio::io_context& io, config::GlobalDefs global, ScriptRunner& runner,
             Clock::duration script_timeout = std::chrono::seconds(60));
    Notifier(const Notifier&) = delete;
    Notifier& operator=(const Notifier&) = delete;

    // `to` INIT is ignored. `priority` is the effective priority, the last argument of `notify`.
    void instance_changed(const config::VrrpInstance& instance, vrrp::State to, int priority);
    void group_changed(const config::VrrpSyncGroup& group, vrrp::State to, int priority);
    // Shutdown: notify_stop, and `notify` with STOP.
    void instance_stopped(const config::VrrpInstance& instance, int priority);

    // The general form the above use. `smtp_alert` is the instance's or group's own setting.
    void notify(const config::Notify& scripts, std::optional<bool> smtp_alert, const Event& event);

    // Scripts queued or running and mails in flight.
    size_t pending() const;
    // Calls `f` (from the loop) once pending() is 0: lets shutdown wait for notify_stop.
    void when_idle(std::function<void()> f);

    // Mails the server accepted / that failed (logged), for the stats dump.
    size_t mails_sent() const { return mails_sent_; }
    size_t mails_failed() const { return mails_failed_; }

private:
    struct Queue {
        std::deque<ScriptCall> calls;
        bool running = false;
    };

    void run_next(const std::string& key);
    void send(const Event& event);
    void check_idle();

    boost::asio::io_context& io_;
    config::GlobalDefs global_;
    ScriptRunner& runner_;
    Clock::duration script_timeout_;
    std::map<std::string, Queue> queues_; // by "INSTANCE name" / "GROUP name"
    size_t mails_in_flight_ = 0;
    size_t mails_sent_ = 0;
    size_t mails_failed_ = 0;
    std::vector<std::function<void()>> idle_waiters_;
    // Callbacks check it: the runner or a mail may outlive this object.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace lvsd::director::notify
