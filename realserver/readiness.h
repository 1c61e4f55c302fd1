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

    bool ready() const;
    std::string reason() const;     // the first failing check, "" when ready
    std::string agent_text() const; // "up" or "down #reason"
};

// Host checks (VIPs present, sysctls right) followed by the service results.
Readiness evaluate(const HostStatus& host, std::vector<CheckResult> services);

} // namespace lvsd::realserver
