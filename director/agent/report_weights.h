// What the realserver agents' reports do to the table: a host that reports anything but "up"
// ("drain", "maint", "down #why", "stopped") gets weight 0 for each real server at its address
// (no new connections; established ones keep their server), "NN%" scales the configured weight.
// Pure: the daemon merges these with the health checks' overrides.
#pragma once

#include "director/agent/report_listener.h"
#include "director/config/config.h"
#include "director/dataplane/desired_table.h"

#include <map>
#include <string>

namespace lvsd::director::agent {

// The weight a configured weight becomes under an agent-check state text.
int weight_under(const std::string& state, int configured);

// `hosts` as ReportListener::hosts() keeps them ("address/name").
dataplane::WeightOverrides report_weights(const config::Config& c,
                                          const std::map<std::string, HostState>& hosts);

} // namespace lvsd::director::agent
