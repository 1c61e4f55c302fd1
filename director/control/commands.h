// What the control socket answers: one JSON request → one JSON reply. Pure: the daemon hands in
// where the answers come from (Sources) and gets the handler for ControlServer.
//
// Requests and replies (one line each):
//   {"command": "ping"}  → {"ok": true}
//   {"command": "list"}  → {"ok": true, "backend": {"name": "ipvs", "version": "1.2.1",
//                            "conn_table_size": 4096}, "table": <dataplane::to_json(Table)>}
//   {"command": "vrrp"}  → {"ok": true, "vrrp_instances": [<vrrp::Instance::stats()>, ...]}
//   anything else        → {"ok": false, "error": "..."}
#pragma once

#include "director/dataplane/table.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>

namespace lvsd::director::control {

using Handler = std::function<nlohmann::json(const nlohmann::json& request)>;

// The live dataplane: its name and, for IPVS, the kernel's version and connection table size
// (what `ipvsadm -Ln` prints first).
struct BackendInfo {
    std::string name; // "ipvs", "nftables"
    std::optional<uint32_t> ipvs_version;
    std::optional<uint32_t> conn_table_size;
};

struct Sources {
    // The table as the dataplane holds it now, counters included. Unset: "list" answers that
    // no dataplane runs. May throw; the message becomes the error reply.
    std::function<dataplane::Table()> table;
    std::function<BackendInfo()> backend;
    // One JSON object per VRRP instance (vrrp::Instance::stats()).
    std::function<nlohmann::json()> vrrp_instances;
};

nlohmann::json error_reply(const std::string& message);

// Never throws: a bad request or a failing source becomes an error reply.
nlohmann::json handle_request(const nlohmann::json& request, const Sources& sources);

// handle_request bound to sources, for ControlServer.
Handler make_handler(Sources sources);

nlohmann::json to_json(const BackendInfo& b);
BackendInfo backend_info_from_json(const nlohmann::json& j); // throws std::invalid_argument

} // namespace lvsd::director::control
