#include "director/dataplane/choose_backend.h"

#include "director/dataplane/ipvs/genl_socket.h"
#include "director/dataplane/ipvs/ipvs.h"
#include "director/dataplane/nft/nftables.h"

#include <linux/ip_vs.h>

namespace lvsd::director::dataplane {

std::string str(BackendKind k) {
    return k == BackendKind::ipvs ? "ipvs" : "nftables";
}

BackendKind choose_backend(config::LvsDataplane wanted, bool has_ipvs) {
    switch (wanted) {
    case config::LvsDataplane::ipvs:
        return BackendKind::ipvs;
    case config::LvsDataplane::nftables:
        return BackendKind::nftables;
    case config::LvsDataplane::automatic:
        break;
    }
    return has_ipvs ? BackendKind::ipvs : BackendKind::nftables;
}

nft::Options nft_options(const config::Config& c) {
    nft::Options o;
    o.interface = c.vrrp_instances.empty() ? c.global_defs.default_interface
                                           : c.vrrp_instances.front().interface;
    o.slots = c.global_defs.lvs_nft_slots.value_or(nft::default_slots);
    return o;
}

bool kernel_has_ipvs() {
    try {
        ipvs::GenlSocket probe(IPVS_GENL_NAME);
        return true;
    } catch (const ipvs::GenlError&) {
        return false;
    }
}

std::unique_ptr<Backend> make_backend(BackendKind kind, const nft::Options& nft_options) {
    if (kind == BackendKind::ipvs)
        return std::make_unique<ipvs::Ipvs>();
    return std::make_unique<nft::NftBackend>(nft_options);
}

} // namespace lvsd::director::dataplane
