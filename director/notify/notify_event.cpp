#include "director/notify/notify_event.h"

namespace lvsd::director::notify {

std::optional<NotifyState> notify_state(vrrp::State s) {
    switch (s) {
    case vrrp::State::master:
        return NotifyState::master;
    case vrrp::State::backup:
        return NotifyState::backup;
    case vrrp::State::fault:
        return NotifyState::fault;
    case vrrp::State::init:
        break;
    }
    return std::nullopt;
}

std::string_view word(Scope s) {
    return s == Scope::instance ? "INSTANCE" : "GROUP";
}

std::string_view word(NotifyState s) {
    switch (s) {
    case NotifyState::master:
        return "MASTER";
    case NotifyState::backup:
        return "BACKUP";
    case NotifyState::fault:
        return "FAULT";
    case NotifyState::stop:
        return "STOP";
    }
    return "?";
}

std::vector<ScriptCall> script_calls(const config::Notify& notify, const Event& event) {
    std::vector<ScriptCall> calls;
    const std::optional<config::Script>* own = nullptr;
    switch (event.state) {
    case NotifyState::master:
        own = &notify.master;
        break;
    case NotifyState::backup:
        own = &notify.backup;
        break;
    case NotifyState::fault:
        own = &notify.fault;
        break;
    case NotifyState::stop:
        own = &notify.stop;
        break;
    }
    if (own != nullptr && *own)
        calls.push_back({**own, {}});
    if (notify.any)
        calls.push_back({*notify.any,
                         {std::string(word(event.scope)), event.name,
                          std::string(word(event.state)), std::to_string(event.priority)}});
    return calls;
}

} // namespace lvsd::director::notify
