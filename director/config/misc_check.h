// MISC_CHECK: run a command; exit 0 is up. With misc_dynamic, exit 2..255 also sets weight-2.
#pragma once

#include "director/config/script.h"

#include <optional>

namespace lvsd::director::config {

struct MiscCheck {
    Script misc_path;
    std::optional<double> misc_timeout; // unset: delay_loop
    bool misc_dynamic = false;
};

} // namespace lvsd::director::config
