// Reading and writing /proc/sys by dotted name (net.ipv4.conf.lo.arp_ignore).
#pragma once

#include <optional>
#include <string>

namespace lvsd::sys {

// As sysctl(8): the dots of the name are the path's slashes, and a slash in the name stands for
// a dot within one part (net.ipv4.conf.eth0/100.rp_filter: the VLAN device eth0.100).
std::string sysctl_path(const std::string& dotted);
// One part of a dotted name, such as a device name, with its dots written as slashes.
std::string sysctl_name_part(const std::string& part);
// nullopt when the key does not exist (an interface that is gone).
std::optional<std::string> sysctl_read(const std::string& dotted);
// Throws std::system_error naming the key.
void sysctl_write(const std::string& dotted, const std::string& value);

} // namespace lvsd::sys
