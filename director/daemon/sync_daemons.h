// The IPVS connection-sync daemons of global_defs lvs_sync_daemon, kept in step with the VRRP
// instance they follow (dataplane/ipvs/sync_plan.h says which run when). The I/O shell: reads
// what the kernel runs and starts or stops the difference; failures are logged, never thrown.
#pragma once

#include "director/dataplane/backend.h"
#include "director/dataplane/choose_backend.h"
#include "director/dataplane/desired_table.h"

#include <optional>
#include <string>

namespace lvsd::director {

class SyncDaemons {
public:
    // The spec of the current configuration (nullopt: lvs_sync_daemon is not configured).
    void configure(const std::optional<dataplane::SyncDaemonSpec>& spec) { spec_ = spec; }
    // The vrrp_instance followed ("" for none).
    std::string instance() const { return spec_ ? spec_->vrrp_instance : ""; }

    // Brings the kernel's daemons to what the spec wants, given the instance's state. Daemons
    // are left alone unless lvs_sync_daemon is (or was, then they are stopped) configured. The
    // nftables dataplane has no connection sync: said once, nothing else done.
    void update(dataplane::Backend* backend, dataplane::BackendKind kind, bool instance_master);
    // The daemon stops: so do the sync daemons it runs.
    void stop(dataplane::Backend* backend, dataplane::BackendKind kind);

private:
    std::optional<dataplane::SyncDaemonSpec> spec_;
    bool managed_ = false; // daemons of ours may run in the kernel
    bool told_nft_ = false;
};

} // namespace lvsd::director
