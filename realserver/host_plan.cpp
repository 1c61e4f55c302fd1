#include "host_plan.h"

namespace lvsd::realserver {

HostPlan plan_host(const Config& c) {
    HostPlan p;
    int lo_labels = 0;
    bool any_dr_v4 = false;
    for (const auto& v : c.vips) {
        if (v.mode == VipMode::tun) {
            p.addresses.push_back({v.address, tun_device, ""});
            p.needs_tunl0 = true;
        } else if (v.address.is_v4()) {
            p.addresses.push_back({v.address, "lo", "lo:" + std::to_string(lo_labels++)});
            any_dr_v4 = true;
        } else {
            // IPv6 has no ARP: the kernel answers neighbour solicitations only for addresses
            // on the receiving interface, so a VIP on lo stays silent without any sysctl.
            p.addresses.push_back({v.address, "lo", ""});
        }
    }
    // arp_ignore=1: answer ARP only for addresses on the interface asked, never for the VIP on lo.
    // arp_announce=2: never use the VIP as the source of our own ARP requests, or clients would
    // learn this host's MAC for the VIP. The kernel uses the larger of `all` and the device.
    if (any_dr_v4 || p.needs_tunl0) {
        for (const char* dev : {"lo", "all"}) {
            p.sysctls.push_back({std::string("net.ipv4.conf.") + dev + ".arp_ignore", "1"});
            p.sysctls.push_back({std::string("net.ipv4.conf.") + dev + ".arp_announce", "2"});
        }
    }
    // Decapsulated packets arrive on tunl0 with a source routed elsewhere: strict reverse-path
    // filtering would drop them. The kernel uses the larger of `all` and the device here too;
    // the shell relaxes `all` only when it must, keeping each interface's effective value.
    if (p.needs_tunl0)
        p.sysctls.push_back({std::string("net.ipv4.conf.") + tun_device + ".rp_filter", "0"});
    return p;
}

} // namespace lvsd::realserver
