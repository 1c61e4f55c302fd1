#include "director/agent/report_weights.h"

#include "director/checks/agent_text.h"

namespace lvsd::director::agent {

int weight_under(const std::string& state, int configured) {
    // The same mapping as a pulled AGENT_CHECK's: one meaning for both paths.
    return checks::agent_weight(checks::parse_agent_text(state), configured);
}

dataplane::WeightOverrides report_weights(const config::Config& c,
                                          const std::map<std::string, HostState>& hosts) {
    // The reports name their sender by address; a real server is matched by its own. Several
    // names from one address (an agent renamed, or a captured report replayed from a forged
    // source): the latest report speaks for it, so a stale or replayed state lasts only until
    // the agent's next report (which ReportListener then counts as a change).
    std::map<std::string, const HostState*> by_address;
    for (const auto& [name, h] : hosts) {
        auto& latest = by_address[h.from];
        if (!latest || h.received > latest->received)
            latest = &h;
    }
    dataplane::WeightOverrides out;
    for (size_t v = 0; v < c.virtual_servers.size(); ++v) {
        const auto& rss = c.virtual_servers[v].real_servers;
        for (size_t r = 0; r < rss.size(); ++r) {
            auto it = by_address.find(rss[r].address.str());
            if (it == by_address.end())
                continue;
            int w = weight_under(it->second->state, rss[r].weight);
            if (w != rss[r].weight)
                out[{v, r}] = w;
        }
    }
    return out;
}

} // namespace lvsd::director::agent
