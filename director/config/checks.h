// Checks that need the whole configuration: cross references, families, uniqueness. Parsing
// already checked each value on its own.
#pragma once

#include "conf/diagnostic.h"
#include "director/config/config.h"

namespace lvsd::director::config {

// Also resolves defaults that depend on other sections (an instance's VRRP version).
void check_config(Config& c, conf::Diagnostics& diags);

// Checks against this host: interfaces that do not exist, priority 255 without owning an address.
// Warnings only, since the config may be meant for another machine (lvs-director -t).
void check_host(const Config& c, conf::Diagnostics& diags);

} // namespace lvsd::director::config
