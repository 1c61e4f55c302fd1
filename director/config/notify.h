// The scripts run on VRRP state changes, for an instance or a sync group.
#pragma once

#include "director/config/script.h"

#include <optional>

namespace lvsd::director::config {

struct Notify {
    std::optional<Script> any; // `notify`: called with the new state as an argument
    std::optional<Script> master;
    std::optional<Script> backup;
    std::optional<Script> fault;
    std::optional<Script> stop;
};

} // namespace lvsd::director::config
