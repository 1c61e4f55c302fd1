// The shell that changes the host: sysctls through /proc/sys, addresses through rtnetlink.
// Every change is recorded in the state file before it is made.
#pragma once

#include "host_plan.h"
#include "state_file.h"

#include <filesystem>
#include <string>
#include <vector>

namespace lvsd::realserver {

struct AddressStatus {
    AddressPlan plan;
    bool present = false;
};

struct SysctlStatus {
    std::string key;
    std::string want;
    std::string actual;   // "" when the key does not exist
    std::string original; // from the state file; "" when not recorded
};

struct HostStatus {
    bool started = false; // a state file exists
    State state;
    std::vector<AddressStatus> addresses;
    std::vector<SysctlStatus> sysctls;
    bool all_applied() const;
};

class Host {
public:
    explicit Host(std::filesystem::path state_path) : state_path_(std::move(state_path)) {}

    // Brings the host to `plan` and returns what it changed, one line each ("" entries never).
    // Addresses we added before that the plan no longer lists are removed. If a step fails,
    // everything this call changed is undone before the error is rethrown.
    std::vector<std::string> apply(const HostPlan& plan, const std::string& config_source);

    // Undoes everything the state file records. Returns false when nothing was started.
    bool undo(std::vector<std::string>& log);

    HostStatus inspect(const HostPlan& plan);

    const std::filesystem::path& state_path() const { return state_path_; }

private:
    std::filesystem::path state_path_;
};

} // namespace lvsd::realserver
