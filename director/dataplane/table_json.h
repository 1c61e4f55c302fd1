// Table ⇄ JSON, for `--dump`-style output and for tests that describe a table directly (fields
// keepalived.conf cannot express yet: scheduler flags, tunnel types, persistence engines).
//
// {"services": [{"protocol": "TCP", "address": "10.0.0.1", "port": 80,   (or "fwmark": 7,
//                "family": "inet6"), "scheduler": "mh", "flags": ["flag-1", "flag-2", "ops"],
//                "persistence": {"timeout": 300, "prefix_len": 24}, "pe_name": "sip",
//                "destinations": [{"address": "10.0.0.2", "port": 80, "forward": "TUN",
//                                  "weight": 1, "u_threshold": 0, "l_threshold": 0,
//                                  "tunnel": {"type": "gue", "port": 6080, "flags": ["csum"]}}]}]}
// Counters ("stats", "active_conns", ...) are written, and ignored when read unless asked for
// (lvsctl reads the daemon's live table with them).
#pragma once

#include "director/dataplane/table.h"

#include <nlohmann/json.hpp>

namespace lvsd::director::dataplane {

nlohmann::json to_json(const Table& t);
enum class Counters { ignore, read };

// Throws std::invalid_argument naming the offending field.
Table table_from_json(const nlohmann::json& j, Counters counters = Counters::ignore);

} // namespace lvsd::director::dataplane
