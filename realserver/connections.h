// Established TCP connections to this host's VIPs, read from /proc/net/tcp and tcp6: what a
// graceful stop waits for before it takes the VIP away.
#pragma once

#include "net/ip_address.h"

#include <string>
#include <vector>

namespace lvsd::realserver {

// Pure: counts ESTABLISHED (and SYN_RECV: half-open) lines of a /proc/net/tcp{,6} text whose local
// address is one of `vips` (and, if `ports` is not empty, whose local port is one of them).
int count_established(const std::string& proc_text, const std::vector<net::IpAddress>& vips,
                      const std::vector<int>& ports);

// The same over this network namespace's /proc/net/tcp and tcp6.
int established_to(const std::vector<net::IpAddress>& vips, const std::vector<int>& ports);

} // namespace lvsd::realserver
