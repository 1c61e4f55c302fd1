#include "director/notify/notifier.h"

#include "director/notify/state_mail.h"
#include "log/log.h"

#include <boost/asio/post.hpp>

#include <unistd.h>

namespace lvsd::director::notify {

namespace {

std::string host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0)
        return "localhost";
    return buf;
}

} // namespace

Notifier::Notifier(boost::asio::io_context& io, config::GlobalDefs global, ScriptRunner& runner,
                   Clock::duration script_timeout)
    : io_(io), global_(std::move(global)), runner_(runner), script_timeout_(script_timeout) {}

void Notifier::instance_changed(const config::VrrpInstance& instance, vrrp::State to,
                                int priority) {
    if (auto s = notify_state(to))
        notify(instance.notify, instance.smtp_alert,
               {Scope::instance, instance.name, *s, priority});
}

void Notifier::group_changed(const config::VrrpSyncGroup& group, vrrp::State to, int priority) {
    if (auto s = notify_state(to))
        notify(group.notify, group.smtp_alert, {Scope::group, group.name, *s, priority});
}

void Notifier::instance_stopped(const config::VrrpInstance& instance, int priority) {
    notify(instance.notify, instance.smtp_alert,
           {Scope::instance, instance.name, NotifyState::stop, priority});
}

void Notifier::notify(const config::Notify& scripts, std::optional<bool> smtp_alert,
                      const Event& event) {
    log::info(std::string("VRRP ") + (event.scope == Scope::instance ? "instance " : "group ") +
              event.name + " entering " + std::string(word(event.state)) + " state");
    auto calls = script_calls(scripts, event);
    if (!calls.empty()) {
        std::string key = std::string(word(event.scope)) + " " + event.name;
        auto& q = queues_[key];
        for (auto& c : calls)
            q.calls.push_back(std::move(c));
        if (!q.running)
            run_next(key);
    }
    // The instance's (or group's) own smtp_alert wins over global_defs'. No mail on STOP: the
    // daemon is going away and would not wait for the server.
    if (smtp_alert.value_or(global_.smtp_alert) && event.state != NotifyState::stop)
        send(event);
}

void Notifier::run_next(const std::string& key) {
    auto it = queues_.find(key);
    if (it == queues_.end())
        return;
    auto& q = it->second;
    if (q.calls.empty()) {
        queues_.erase(it);
        check_idle();
        return;
    }
    q.running = true;
    ScriptCall call = std::move(q.calls.front());
    q.calls.pop_front();
    std::weak_ptr<bool> alive = alive_;
    std::string what = call.script.command;
    runner_.run(call.script, call.extra_args, script_timeout_,
                [this, alive, key, what](const ExitStatus& s) {
                    if (alive.expired())
                        return;
                    if (!s.success() && s.kind != ExitStatus::Kind::refused)
                        log::warning("notify script " + what + " " + describe(s));
                    run_next(key);
                });
}

void Notifier::send(const Event& event) {
    if (global_.smtp_server.empty() || global_.notification_email.empty()) {
        log::warning("smtp_alert is on but smtp_server or notification_email is not set: no mail");
        return;
    }
    std::string router_id = global_.router_id.empty() ? host_name() : global_.router_id;
    std::string from = global_.notification_email_from.empty() ? "keepalived@" + host_name()
                                                               : global_.notification_email_from;
    SmtpServer server;
    server.host = global_.smtp_server;
    server.port = static_cast<uint16_t>(global_.smtp_port);
    server.helo_name = global_.smtp_helo_name;
    server.timeout = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(global_.smtp_connect_timeout));
    ++mails_in_flight_;
    std::weak_ptr<bool> alive = alive_;
    send_mail(io_, server, state_mail(router_id, from, global_.notification_email, event),
              [this, alive](const std::string& error) {
                  if (alive.expired())
                      return;
                  --mails_in_flight_;
                  ++(error.empty() ? mails_sent_ : mails_failed_);
                  check_idle();
              });
}

size_t Notifier::pending() const {
    size_t n = mails_in_flight_;
    for (const auto& [key, q] : queues_)
        n += q.calls.size() + (q.running ? 1 : 0);
    return n;
}

void Notifier::when_idle(std::function<void()> f) {
    idle_waiters_.push_back(std::move(f));
    check_idle();
}

void Notifier::check_idle() {
    if (pending() != 0 || idle_waiters_.empty())
        return;
    auto waiters = std::move(idle_waiters_);
    idle_waiters_.clear();
    for (auto& w : waiters)
        boost::asio::post(io_, std::move(w));
}

} // namespace lvsd::director::notify
