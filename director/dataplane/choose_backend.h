// Which dataplane backend runs: `lvs_dataplane ipvs|nftables|auto` in global_defs, where auto is
// kernel IPVS when the kernel has the IPVS generic-netlink family, else nftables.
#pragma once

#include "director/config/config.h"
#include "director/dataplane/backend.h"
#include "director/dataplane/nft/model.h"

#include <memory>
#include <string>

namespace lvsd::director::dataplane {

enum class BackendKind { ipvs, nftables };

std::string str(BackendKind k); // "ipvs", "nftables"

// Pure: the choice, given whether the kernel has IPVS.
BackendKind choose_backend(config::LvsDataplane wanted, bool kernel_has_ipvs);

// Pure: the nftables backend's settings. DR steers on the director's interface: that of the
// first vrrp_instance, else default_interface; lvs_nft_slots, else the default.
nft::Options nft_options(const config::Config& c);

// Asks the kernel for the "IPVS" generic-netlink family (with ip_vs not loaded: false).
bool kernel_has_ipvs();

// The backend of that kind; throws ipvs::GenlError or nft::NftError when it cannot start.
std::unique_ptr<Backend> make_backend(BackendKind kind, const nft::Options& nft_options);

} // namespace lvsd::director::dataplane
