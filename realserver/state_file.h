// The record of what `start` changed on this host, so that `stop` undoes exactly that.
// Written before each change, so a crash halfway still leaves a complete undo list.
#pragma once

#include "host_plan.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lvsd::realserver {

struct SavedSysctl {
    std::string key;
    std::string original; // what the host had before we first touched it
    std::string value;    // what we set
};

struct State {
    std::vector<SavedSysctl> sysctls;   // in the order they were changed
    std::vector<AddressPlan> addresses; // addresses we added (not ones the host already had)
    std::vector<std::string> raised;    // interfaces we brought up (down again at stop)
    std::string config;                 // the config source at start, for status
    long long started_at = 0;           // unix seconds
    bool drained = false;               // `lvs-realserver drain`: report "drain" to directors

    const SavedSysctl* sysctl(const std::string& key) const;
    // On that device: the same VIP moved from lo to tunl0 (dr to tun) is another address.
    bool has_address(const net::IpAddress& a, const std::string& device) const;
};

std::string state_to_json(const State& s);
State state_from_json(const std::string& text); // throws std::runtime_error on a bad file

// /run/lvsd/realserver.state, or realserver.netns<inode>.state inside a network namespace:
// sysctls and addresses are per namespace, /run is not.
std::filesystem::path default_state_path(const std::filesystem::path& dir);

std::optional<State> load_state(const std::filesystem::path& path);
void save_state(const std::filesystem::path& path, const State& s); // atomic: write + rename
void remove_state(const std::filesystem::path& path);

// Serialises start, stop, drain and the daemon's rounds against each other (flock on STATE.lock).
class StateLock {
public:
    explicit StateLock(const std::filesystem::path& state);
    ~StateLock();
    StateLock(const StateLock&) = delete;
    StateLock& operator=(const StateLock&) = delete;

private:
    int fd_ = -1;
};

// Sets the operator's drain flag of a started host. Returns false when not started.
bool set_drained(const std::filesystem::path& path, bool drained);

} // namespace lvsd::realserver
