#include "vrrp/action.h"

namespace lvsd::vrrp {

std::string_view name(State s) {
    switch (s) {
    case State::init:
        return "INIT";
    case State::backup:
        return "BACKUP";
    case State::master:
        return "MASTER";
    case State::fault:
        return "FAULT";
    }
    return "UNKNOWN";
}

} // namespace lvsd::vrrp
