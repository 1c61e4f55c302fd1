#include "readiness.h"

namespace lvsd::realserver {

bool Readiness::ready() const {
    return reason().empty();
}

std::string Readiness::reason() const {
    for (const auto& c : checks)
        if (!c.ok)
            return c.name + ": " + c.detail;
    return "";
}

std::string Readiness::agent_text() const {
    std::string r = reason();
    if (!r.empty())
        return "down #" + r;
    return drained ? "drain" : "up";
}

Readiness evaluate(const HostStatus& host, std::vector<CheckResult> services) {
    Readiness r;
    r.drained = host.state.drained;
    r.checks.push_back({"started", host.started, host.started ? "yes" : "not started"});
    for (const auto& a : host.addresses)
        r.checks.push_back({"vip " + a.plan.address.str(), a.present,
                            a.present ? "on " + a.plan.device : "missing from " + a.plan.device});
    for (const auto& s : host.sysctls) {
        bool ok = s.actual == s.want;
        r.checks.push_back(
            {"sysctl " + s.key, ok,
             ok ? s.actual
                : "is " + (s.actual.empty() ? "absent" : s.actual) + ", want " + s.want});
    }
    for (auto& s : services)
        r.checks.push_back(std::move(s));
    return r;
}

} // namespace lvsd::realserver
