#include "director/agent/report_weights.h"

#include "director/checks/agent_text.h"

namespace lvsd::director::agent {

int weight_under(const std::string& state, int configured) {
    // The same mapping as a pulled AGENT_CHECK's: one meaning for both paths.
    return checks::agent_weight(checks::parse_agent_text(state), configured);
}

dataplane::WeightOverrides report_weights(const config::Config& c,
                                          const std::map<std::string, HostState>& hosts) {
    // Several names from one address (an agent renamed): the latest report speaks for it
    // (ReportListener counts a report that becomes the latest as a change).
    dataplane::WeightOverrides out;
    for (size_t v = 0; v < c.virtual_servers.size(); ++v) {
        const auto& rss = c.virtual_servers[v].real_servers;
        for (size_t r = 0; r < rss.size(); ++r) {
            const HostState* h = latest_report(hosts, rss[r].address.str());
            if (!h)
                continue;
            int w = weight_under(h->state, rss[r].weight);
            if (w != rss[r].weight)
                out[{v, r}] = w;
        }
    }
    return out;
}

} // namespace lvsd::director::agent
