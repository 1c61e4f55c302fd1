// Reading and writing /proc/sys by dotted name (net.ipv4.conf.lo.arp_ignore).
#pragma once

#include <optional>
#include <string>

namespace lvsd::sys {

std::string sysctl_path(const std::string& dotted);
// nullopt when the key does not exist (an interface that is gone).
std::optional<std::string> sysctl_read(const std::string& dotted);
// Throws std::system_error naming the key.
void sysctl_write(const std::string& dotted, const std::string& value);

} // namespace lvsd::sys
