// What this process may do and where it runs.
#pragma once

#include <string>

namespace lvsd::sys {

// CAP_NET_ADMIN in the effective set: needed for addresses and /proc/sys/net.
bool has_net_admin();

// An id for the network namespace we run in: "" for the host's own (PID 1's), else "netns<inode>".
// Lets per-namespace state (sysctls, addresses) live in a shared /run without collisions.
std::string netns_tag();

} // namespace lvsd::sys
