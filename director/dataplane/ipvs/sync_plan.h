// Which of IPVS's two connection-sync daemons run (global_defs lvs_sync_daemon, as keepalived
// documents it): with a vrrp_instance named, the master daemon while that instance is MASTER and
// the backup daemon while it is not (BACKUP, FAULT, stopped), switching on every transition; with
// none named, both. Pure: what should run, and the steps from what runs to that.
#pragma once

#include "director/dataplane/desired_table.h"
#include "director/dataplane/ipvs/ipvs.h"

#include <optional>
#include <vector>

namespace lvsd::director::dataplane::ipvs {

// The daemons `spec` wants while its instance is (or is not) MASTER; none without a spec.
std::vector<SyncDaemon> wanted_sync_daemons(const std::optional<SyncDaemonSpec>& spec,
                                            bool instance_master);

// Stops first, then starts. A daemon running with other settings (interface, sync id, or a
// setting the spec names) is stopped and started again; settings the spec leaves unset are the
// kernel's, whatever it reports.
struct SyncPlan {
    std::vector<SyncState> stop;
    std::vector<SyncDaemon> start;
    bool empty() const { return stop.empty() && start.empty(); }
};
SyncPlan plan_sync_daemons(const std::vector<SyncDaemon>& wanted,
                           const std::vector<SyncDaemon>& running);

std::string str(SyncState s); // "master", "backup"

} // namespace lvsd::director::dataplane::ipvs
