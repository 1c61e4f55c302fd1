// What the state machine asks its shell to do; the shell performs them in order.
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

namespace lvsd::vrrp {

enum class State : uint8_t { init, backup, master, fault };

std::string_view name(State s);

struct SendAdvert { // priority 0 announces that this master is leaving
    uint8_t priority = 0;
    bool operator==(const SendAdvert&) const = default;
};
struct BecomeMaster { // add the VIPs, then gratuitous ARP / unsolicited NA
    bool operator==(const BecomeMaster&) const = default;
};
struct BecomeBackup { // remove the VIPs (also at startup: a previous run may have left them)
    bool operator==(const BecomeBackup&) const = default;
};
struct EnterFault { // remove the VIPs if held; stop advertising until the link returns
    bool operator==(const EnterFault&) const = default;
};
struct Stop { // shutdown: remove the VIPs if held; no more adverts
    bool operator==(const Stop&) const = default;
};
struct StateChanged { // for notify scripts, logs and the stats dump
    State from = State::init;
    State to = State::init;
    bool operator==(const StateChanged&) const = default;
};

using Action = std::variant<SendAdvert, BecomeMaster, BecomeBackup, EnterFault, Stop, StateChanged>;
using Actions = std::vector<Action>;

} // namespace lvsd::vrrp
