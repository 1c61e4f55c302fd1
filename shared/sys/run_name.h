// Names of per-network-namespace files under /run: two daemons in two namespaces of one host
// (the test lab) must not share a pid file or a socket.
#pragma once

#include <string>

namespace lvsd::sys {

// base + suffix in the host's namespace ("/run/lvsd/director" ".sock" → /run/lvsd/director.sock),
// base + "." + netns_tag() + suffix elsewhere (/run/lvsd/director.netns4026532545.sock).
std::string per_netns_name(const std::string& base, const std::string& suffix);

} // namespace lvsd::sys
