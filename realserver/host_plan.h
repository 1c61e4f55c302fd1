// What the host must look like for a config: addresses on devices and sysctl values. Pure.
#pragma once

#include "config.h"

#include <string>
#include <vector>

namespace lvsd::realserver {

struct AddressPlan {
    net::IpAddress address;
    std::string device;
    std::string label; // IPv4 on lo only: lo:0, lo:1, ... like the classic script's ifconfig lo:0
};

struct SysctlSetting {
    std::string key; // dotted, e.g. net.ipv4.conf.lo.arp_ignore
    std::string value;
};

struct HostPlan {
    std::vector<AddressPlan> addresses;
    std::vector<SysctlSetting> sysctls;
    bool needs_tunl0 = false;
};

inline constexpr const char* tun_device = "tunl0";

HostPlan plan_host(const Config& c);

} // namespace lvsd::realserver
