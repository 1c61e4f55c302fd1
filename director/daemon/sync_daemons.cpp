#include "director/daemon/sync_daemons.h"

#include "director/dataplane/ipvs/sync_plan.h"
#include "log/log.h"

namespace lvsd::director {

using dataplane::BackendKind;
namespace ipvs = dataplane::ipvs;

void SyncDaemons::update(dataplane::Backend* backend, BackendKind kind, bool instance_master) {
    if (!spec_ && !managed_)
        return;
    if (kind == BackendKind::nftables) {
        if (spec_ && !told_nft_)
            log::warning("lvs_sync_daemon: connection sync is not available with the nftables "
                         "dataplane; going on without it");
        told_nft_ = true;
        return;
    }
    if (!backend)
        return;
    auto& kernel = static_cast<ipvs::Ipvs&>(*backend);
    try {
        auto plan = ipvs::plan_sync_daemons(ipvs::wanted_sync_daemons(spec_, instance_master),
                                            kernel.sync_daemons());
        for (auto state : plan.stop) {
            kernel.stop_sync_daemon(state);
            log::info("lvs_sync_daemon: " + ipvs::str(state) + " stopped");
        }
        for (const auto& d : plan.start) {
            kernel.start_sync_daemon(d);
            log::info("lvs_sync_daemon: " + ipvs::str(d.state) + " started on " + d.interface +
                      " (sync id " + std::to_string(d.sync_id) + ")");
        }
    } catch (const std::exception& e) {
        log::error("lvs_sync_daemon: " + std::string(e.what()));
    }
    managed_ = spec_.has_value();
}

void SyncDaemons::stop(dataplane::Backend* backend, BackendKind kind) {
    spec_.reset();
    update(backend, kind, false);
}

} // namespace lvsd::director
