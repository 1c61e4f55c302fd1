// AGENT_CHECK (ours, not keepalived's): the lvsd real-server agent reports load and drain state on
// a TCP port, so weights can follow the servers without scripts.
#pragma once

namespace lvsd::director::config {

struct AgentCheck {
    int connect_port = 0; // required
};

} // namespace lvsd::director::config
