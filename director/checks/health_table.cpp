#include "director/checks/health_table.h"

namespace lvsd::director::checks {

namespace {

ServerHealth health_of(const config::Config& c, const Health& h, RealServerRef r) {
    auto it = h.servers.find(r);
    if (it != h.servers.end())
        return it->second;
    return ServerHealth{true,
                        c.virtual_servers[r.virtual_server].real_servers[r.real_server].weight};
}

} // namespace

int live_weight(const config::Config& config, const Health& health, size_t vi) {
    int sum = 0;
    const auto& vs = config.virtual_servers[vi];
    for (size_t ri = 0; ri < vs.real_servers.size(); ++ri) {
        auto s = health_of(config, health, {vi, ri});
        if (s.up)
            sum += s.weight;
    }
    return sum;
}

HealthView health_view(const config::Config& config, const Health& health) {
    HealthView v;
    for (size_t vi = 0; vi < config.virtual_servers.size(); ++vi) {
        const auto& vs = config.virtual_servers[vi];
        bool quorum = vi < health.quorum_up.size() ? health.quorum_up[vi] : true;
        if (!quorum && vs.sorry_server) {
            v.sorry.insert(vi);
            for (size_t ri = 0; ri < vs.real_servers.size(); ++ri)
                v.removed.insert({vi, ri});
            continue;
        }
        for (size_t ri = 0; ri < vs.real_servers.size(); ++ri) {
            const auto& rs = vs.real_servers[ri];
            RealServerRef ref{vi, ri};
            auto s = health_of(config, health, ref);
            if (s.up) {
                if (s.weight != rs.weight)
                    v.weights[ref] = s.weight;
            } else if (rs.inhibit_on_failure.value_or(vs.inhibit_on_failure)) {
                v.weights[ref] = 0;
            } else {
                v.removed.insert(ref);
            }
        }
    }
    return v;
}

dataplane::DesiredTable healthy_table(const config::Config& config, const HealthView& view) {
    config::Config copy = config;
    dataplane::WeightOverrides weights;
    for (size_t vi = 0; vi < config.virtual_servers.size(); ++vi) {
        const auto& vs = config.virtual_servers[vi];
        auto& out = copy.virtual_servers[vi].real_servers;
        out.clear();
        for (size_t ri = 0; ri < vs.real_servers.size(); ++ri) {
            RealServerRef ref{vi, ri};
            if (view.removed.count(ref))
                continue;
            if (auto w = view.weights.find(ref); w != view.weights.end())
                weights[RealServerRef{vi, out.size()}] = w->second;
            out.push_back(vs.real_servers[ri]);
        }
        if (view.sorry.count(vi) && vs.sorry_server) {
            config::RealServer sorry;
            sorry.where = vs.sorry_server->where;
            sorry.address = vs.sorry_server->address;
            sorry.port = vs.sorry_server->port;
            sorry.weight = 1;
            out.push_back(sorry);
        }
    }
    return dataplane::desired_table(copy, weights);
}

} // namespace lvsd::director::checks
