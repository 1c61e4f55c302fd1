// Config → the table the kernel should hold: one service per virtual_server (several for a
// virtual_server group, one per address, range member or fwmark of the group), each with its
// real servers at their configured weight unless the health checks have lowered it.
#pragma once

#include "director/config/config.h"
#include "director/dataplane/table.h"

#include <compare>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace lvsd::director::dataplane {

// A real server as configured: config.virtual_servers[virtual_server].real_servers[real_server].
struct RealServerRef {
    size_t virtual_server = 0;
    size_t real_server = 0;
    auto operator<=>(const RealServerRef&) const = default;
};

// Weights that replace the configured ones (0: drained), set by health checking.
using WeightOverrides = std::map<RealServerRef, int>;

struct DesiredTable {
    Table table;
    std::vector<std::string> notes; // what was left out and why ("file:line: ...")
};

DesiredTable desired_table(const config::Config& config, const WeightOverrides& weights = {});

} // namespace lvsd::director::dataplane
