// check_host: what depends on the machine the config is checked on.
#include "director/config/checks.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cstring>
#include <unordered_map>
#include <unordered_set>

namespace lvsd::director::config {

namespace {

class HostInterfaces {
public:
    HostInterfaces(conf::Diagnostics& d) : diags_(d) {
        ifaddrs* list = nullptr;
        if (getifaddrs(&list) != 0)
            return;
        for (ifaddrs* i = list; i; i = i->ifa_next) {
            names_.insert(i->ifa_name);
            if (!i->ifa_addr)
                continue;
            if (i->ifa_addr->sa_family == AF_INET) {
                auto* in = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
                addresses_.insert(std::string(reinterpret_cast<char*>(&in->sin_addr), 4));
            } else if (i->ifa_addr->sa_family == AF_INET6) {
                auto* in6 = reinterpret_cast<sockaddr_in6*>(i->ifa_addr);
                addresses_.insert(std::string(reinterpret_cast<char*>(&in6->sin6_addr), 16));
            }
        }
        freeifaddrs(list);
    }

    // An interface can appear later (VLANs, VMACs), so never an error.
    void expect(const std::string& name, const conf::Location& where, const char* what) {
        if (name.empty() || names_.count(name) || if_nametoindex(name.c_str()) != 0)
            return;
        diags_.warning(where, std::string(what) + " '" + name + "' does not exist on this host");
    }

    bool owns(const net::IpAddress& a) const {
        return addresses_.count(
            std::string(reinterpret_cast<const char*>(a.bytes.data()), a.is_v4() ? 4 : 16));
    }

private:
    conf::Diagnostics& diags_;
    std::unordered_set<std::string> names_;
    std::unordered_set<std::string> addresses_;
};

} // namespace

void check_host(const Config& c, conf::Diagnostics& d) {
    HostInterfaces host(d);
    for (const auto& vi : c.vrrp_instances) {
        host.expect(vi.interface, vi.interface_where.line ? vi.interface_where : vi.where,
                    "interface");
        for (const auto* list : {&vi.virtual_ipaddress, &vi.virtual_ipaddress_excluded})
            for (const auto& v : *list)
                host.expect(v.dev, v.where, "interface");
        for (const auto& r : vi.virtual_routes)
            host.expect(r.dev, r.where, "interface");
        for (const auto& t : vi.track_interface)
            host.expect(t.name, t.where, "tracked interface");
        // Priority 255 claims the addresses are the host's own (RFC 5798 §5.2.4).
        if (vi.priority == 255) {
            bool owned = false;
            for (const auto& v : vi.virtual_ipaddress)
                owned = owned || host.owns(v.address);
            if (!owned)
                d.warning(vi.where, "priority 255 is for the address owner, but no virtual "
                                    "address of '" +
                                        vi.name + "' is configured on this host");
        }
    }
    for (const auto& g : c.vrrp_sync_groups)
        for (const auto& t : g.track_interface)
            host.expect(t.name, t.where, "tracked interface");
    for (const auto& vs : c.virtual_servers)
        for (const auto& rs : vs.real_servers)
            for (const auto& ch : rs.checkers)
                host.expect(ch.common.bind_if, ch.common.where, "bind_if interface");
}

} // namespace lvsd::director::config
