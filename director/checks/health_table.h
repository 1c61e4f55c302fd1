// Health → forwarding table. desired_table() only takes weight overrides, so removals and the
// sorry server are applied to a copy of the config (servers left out, the sorry server put in)
// before it is called; the overrides are re-indexed to match.
#pragma once

#include "director/checks/check_state.h"
#include "director/config/config.h"
#include "director/dataplane/desired_table.h"

#include <map>
#include <set>
#include <vector>

namespace lvsd::director::checks {

using dataplane::RealServerRef;

// What health checking knows now: every real server (missing: up at its configured weight) and
// every virtual server's quorum (missing: up).
struct Health {
    std::map<RealServerRef, ServerHealth> servers;
    std::vector<bool> quorum_up; // by virtual server index
};

struct HealthView {
    dataplane::WeightOverrides weights; // up servers at another weight; inhibited ones at 0
    std::set<RealServerRef> removed;    // down (without inhibit_on_failure), or replaced by sorry
    std::set<size_t> sorry;             // virtual servers whose sorry_server is in
};

// keepalived's rules: a down server is removed, or kept at weight 0 with inhibit_on_failure (the
// real server's setting, else its virtual server's). When a virtual server has lost its quorum
// and has a sorry_server, the sorry server (weight 1) takes the place of all its real servers.
HealthView health_view(const config::Config& config, const Health& health);

// The live weight of a virtual server: the sum of the weights of its up servers.
int live_weight(const config::Config& config, const Health& health, size_t virtual_server);

// desired_table() with the view applied.
dataplane::DesiredTable healthy_table(const config::Config& config, const HealthView& view);

} // namespace lvsd::director::checks
