// The forwarding table as `ipvsadm -Ln` prints it (ipvsadm 1.31): the same header lines, the same
// columns and the same order of services and real servers, so that scripts and habits written for
// ipvsadm keep working with `lvsctl list`, whichever dataplane is live. Pure: Table → text.
#pragma once

#include "director/dataplane/table.h"

#include <cstdint>
#include <optional>
#include <string>

namespace lvsd::director::control {

// Which of ipvsadm's list layouts (-Ln, --stats, --rate, --thresholds, --persistent-conn,
// --tun-info).
enum class ListLayout { plain, stats, rate, thresholds, persistent_conn, tun_info };

struct ListOptions {
    ListLayout layout = ListLayout::plain;
    bool exact = false; // --exact: counters in full instead of K/M/G/T
};

// The first line ipvsadm prints: "IP Virtual Server version 1.2.1 (size=4096)".
struct IpvsVersion {
    uint32_t code = 0x010201; // IP_VS_VERSION_CODE: major << 16 | minor << 8 | patch
    uint32_t conn_table_size = 4096;
};
std::string version_line(const IpvsVersion& v);

// The listing without the version line: the column titles, then each service and its real
// servers, sorted as ipvsadm sorts them. Every line ends in '\n'.
std::string format_listing(const dataplane::Table& table, const ListOptions& options = {});

// A counter in ipvsadm's 9-character column: "      123", " 123456K", ... (exact: in full).
std::string format_counter(uint64_t value, bool exact);

} // namespace lvsd::director::control
