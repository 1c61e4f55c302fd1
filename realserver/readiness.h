// Whether this real server should receive traffic, as a list of named checks. The model the
// agent reports to directors (HAProxy agent-check words: "up", "down #reason").
#pragma once

#include "host.h"

#include <string>
#include <vector>

namespace lvsd::realserver {

struct CheckResult {
    std::string
        name; // "vip 10.0.0.1", "sysctl net.ipv4.conf.all.arp_ignore", "service http port 80"
    bool ok = false;
    std::string detail; // what was seen
};

struct Readiness {
    std::vector<CheckResult> checks;
    bool drained = false; // the operator's `drain`: healthy, but take no new connections

    bool ready() const;
    std::string reason() const;     // the first failing check, "" when ready
    std::string agent_text() const; // "down #reason", else "drain" or "up"
};

// Host checks (VIPs present, sysctls right) followed by the service results.
Readiness evaluate(const HostStatus& host, std::vector<CheckResult> services);

} // namespace lvsd::realserver
