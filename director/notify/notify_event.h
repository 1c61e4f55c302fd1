// What a VRRP state change runs, as keepalived does it: the state's own script (notify_master,
// notify_backup, notify_fault, notify_stop) as written, then `notify` with four arguments
// appended: INSTANCE|GROUP, the name, MASTER|BACKUP|FAULT|STOP, the priority.
#pragma once

#include "director/config/notify.h"
#include "director/config/script.h"
#include "vrrp/action.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lvsd::director::notify {

enum class Scope { instance, group };
enum class NotifyState { master, backup, fault, stop };

// INIT is not reported: keepalived's scripts only ever see the other three (and STOP).
std::optional<NotifyState> notify_state(vrrp::State s);

std::string_view word(Scope s);       // "INSTANCE" / "GROUP"
std::string_view word(NotifyState s); // "MASTER" / "BACKUP" / "FAULT" / "STOP"

struct Event {
    Scope scope = Scope::instance;
    std::string name;
    NotifyState state = NotifyState::backup;
    int priority = 0;
};

struct ScriptCall {
    config::Script script;
    std::vector<std::string> extra_args;
};

// The scripts `event` runs, in the order they run.
std::vector<ScriptCall> script_calls(const config::Notify& notify, const Event& event);

} // namespace lvsd::director::notify
