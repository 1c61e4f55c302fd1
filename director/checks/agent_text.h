// HAProxy's agent-check text, as lvs-realserver answers it (pull, AGENT_CHECK) and pushes it
// (readiness reports): words separated by spaces, tabs or commas, case-insensitive, anything
// after '#' a free-text reason. One meaning for both paths: agent_weight() is what the table
// does with the text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lvsd::director::checks {

struct AgentText {
    // The operational state: "up"; "down", "fail", "stopped" (or the administrative "maint")
    // → down; none of them: not said.
    std::optional<bool> up;
    bool ready = false;         // "ready": back from drain/maint (an up in itself)
    bool drain = false;         // "drain": keep the server, no new connections
    std::optional<int> percent; // "NN%", 0..100
    std::string reason;         // after '#', trimmed
    bool recognized = false;    // at least one known word
};

// Unknown words ("maxconn:N" and the like) are skipped; a percentage above 100 is not known.
AgentText parse_agent_text(std::string_view line);

// The weight a real server configured at `configured` gets under the text: up/ready → the
// configured one (scaled by NN%), NN% alone scales it, anything else (drain, down, nothing
// recognized) → 0.
int agent_weight(const AgentText& t, int configured);

// Whether the text takes the server out: down/maint, or nothing recognized.
bool agent_down(const AgentText& t);

} // namespace lvsd::director::checks
