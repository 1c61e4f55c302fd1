#include "director/dataplane/ipvs/sync_plan.h"

namespace lvsd::director::dataplane::ipvs {

namespace {

SyncDaemon daemon_of(const SyncDaemonSpec& spec, SyncState state) {
    SyncDaemon d;
    d.state = state;
    d.interface = spec.interface;
    d.sync_id = spec.sync_id;
    d.max_len = spec.max_len;
    d.group = spec.group;
    d.port = spec.port;
    d.ttl = spec.ttl;
    return d;
}

template <class T> bool agrees(const std::optional<T>& wanted, const std::optional<T>& running) {
    return !wanted || wanted == running;
}

bool same_address(const std::optional<net::IpAddress>& a, const std::optional<net::IpAddress>& b) {
    if (!a)
        return true;
    return b && a->family == b->family && a->bytes == b->bytes;
}

bool satisfies(const SyncDaemon& running, const SyncDaemon& wanted) {
    return running.state == wanted.state && running.interface == wanted.interface &&
           running.sync_id == wanted.sync_id && agrees(wanted.max_len, running.max_len) &&
           same_address(wanted.group, running.group) && agrees(wanted.port, running.port) &&
           agrees(wanted.ttl, running.ttl);
}

} // namespace

std::vector<SyncDaemon> wanted_sync_daemons(const std::optional<SyncDaemonSpec>& spec,
                                            bool instance_master) {
    if (!spec)
        return {};
    if (spec->vrrp_instance.empty())
        return {daemon_of(*spec, SyncState::master), daemon_of(*spec, SyncState::backup)};
    return {daemon_of(*spec, instance_master ? SyncState::master : SyncState::backup)};
}

SyncPlan plan_sync_daemons(const std::vector<SyncDaemon>& wanted,
                           const std::vector<SyncDaemon>& running) {
    SyncPlan plan;
    for (auto state : {SyncState::master, SyncState::backup}) {
        const SyncDaemon *w = nullptr, *r = nullptr;
        for (const auto& d : wanted)
            if (d.state == state)
                w = &d;
        for (const auto& d : running)
            if (d.state == state)
                r = &d;
        if (r && (!w || !satisfies(*r, *w)))
            plan.stop.push_back(state);
        if (w && (!r || !satisfies(*r, *w)))
            plan.start.push_back(*w);
    }
    return plan;
}

std::string str(SyncState s) {
    return s == SyncState::master ? "master" : "backup";
}

} // namespace lvsd::director::dataplane::ipvs
