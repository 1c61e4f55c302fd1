#include "director/config/checks.h"

#include <cmath>
#include <unordered_map>
#include <unordered_set>

namespace lvsd::director::config {

using conf::Diagnostics;

namespace {

std::string family_name(const net::IpAddress& a) {
    return a.is_v4() ? "IPv4" : "IPv6";
}

// Names defined twice: later definitions would silently replace earlier ones.
template <class T>
std::unordered_map<std::string, const T*> index_by_name(const std::vector<T>& items,
                                                        const char* what, Diagnostics& d) {
    std::unordered_map<std::string, const T*> idx;
    idx.reserve(items.size());
    for (const auto& it : items)
        if (!idx.emplace(it.name, &it).second)
            d.error(it.where, std::string(what) + " '" + it.name + "' is defined twice");
    return idx;
}

void check_tracked_scripts(const std::vector<Tracked>& tracked,
                           const std::unordered_map<std::string, const VrrpScript*>& scripts,
                           Diagnostics& d) {
    for (const auto& t : tracked)
        if (!scripts.count(t.name))
            d.error(t.where, "track_script '" + t.name + "' names no vrrp_script");
}

void check_instance(VrrpInstance& vi, const Config& c,
                    const std::unordered_map<std::string, const VrrpScript*>& scripts,
                    Diagnostics& d) {
    if (vi.version == 0)
        vi.version = c.global_defs.vrrp_version;
    if (vi.interface.empty())
        vi.interface = c.global_defs.default_interface;
    if (vi.virtual_router_id == 0)
        d.error(vi.where, "vrrp_instance '" + vi.name + "' needs a virtual_router_id (1-255)");
    // Adverts, multicast or unicast, leave by one interface; keepalived refuses to guess it.
    if (vi.interface.empty())
        d.error(vi.where, "vrrp_instance '" + vi.name +
                              "' needs an interface (or global_defs default_interface)");
    if (vi.version == 2 && vi.advert_int != std::floor(vi.advert_int)) {
        double rounded = std::max(1.0, std::round(vi.advert_int));
        d.warning(vi.where, "VRRPv2 advertises whole seconds; advert_int of '" + vi.name +
                                "' rounded to " + std::to_string(static_cast<int>(rounded)));
        vi.advert_int = rounded;
    }
    if (vi.version == 3 && vi.advert_int > 40.95)
        d.error(vi.where, "VRRPv3 advert_int is at most 40.95 seconds");
    if (vi.authentication) {
        if (vi.version == 3)
            d.warning(vi.authentication->where, "VRRPv3 has no authentication; ignored");
        else if (vi.authentication->type == AuthType::ah && vi.state == VrrpState::master)
            d.error(vi.authentication->where,
                    "state MASTER cannot be used with auth_type AH (start as BACKUP)");
        else if (vi.authentication->type == AuthType::pass && vi.authentication->pass.empty())
            d.error(vi.authentication->where, "auth_type PASS needs an auth_pass");
    }
    // One advertisement carries one family, so all VIPs must share it (excluded ones need not).
    if (!vi.virtual_ipaddress.empty()) {
        const auto& first = vi.virtual_ipaddress.front().address;
        for (const auto& v : vi.virtual_ipaddress)
            if (v.address.family != first.family)
                d.error(v.where, family_name(v.address) + " address " + v.address.str() +
                                     " in an instance whose first address is " +
                                     family_name(first) +
                                     " (move it to virtual_ipaddress_excluded)");
    }
    check_tracked_scripts(vi.track_script, scripts, d);
}

void check_sync_groups(const Config& c, Diagnostics& d) {
    std::unordered_map<std::string, const VrrpInstance*> instances;
    for (const auto& vi : c.vrrp_instances)
        instances.emplace(vi.name, &vi);
    std::unordered_map<std::string, const VrrpSyncGroup*> member_of;
    index_by_name(c.vrrp_sync_groups, "vrrp_sync_group", d);
    for (const auto& g : c.vrrp_sync_groups) {
        if (g.group.empty())
            d.warning(g.where,
                      "vrrp_sync_group '" + g.name + "' has no group { ... }; it does nothing");
        for (const auto& m : g.group) {
            if (!instances.count(m.name))
                d.error(m.where,
                        "vrrp_sync_group '" + g.name + "' names no vrrp_instance '" + m.name + "'");
            else if (auto [it, fresh] = member_of.emplace(m.name, &g); !fresh)
                d.error(m.where, "vrrp_instance '" + m.name + "' is already in vrrp_sync_group '" +
                                     it->second->name + "'");
        }
    }
}

void check_vrids(const Config& c, Diagnostics& d) {
    // The VRID identifies the router on the link: two instances on one interface and family
    // with the same VRID would answer each other's adverts.
    std::unordered_map<std::string, const VrrpInstance*> seen;
    for (const auto& vi : c.vrrp_instances) {
        if (vi.virtual_router_id == 0)
            continue;
        bool v6 = !vi.virtual_ipaddress.empty() && !vi.virtual_ipaddress.front().address.is_v4();
        std::string key =
            vi.interface + '/' + (v6 ? "6" : "4") + '/' + std::to_string(vi.virtual_router_id);
        if (auto [it, fresh] = seen.emplace(key, &vi); !fresh)
            d.error(vi.where, "virtual_router_id " + std::to_string(vi.virtual_router_id) + " on " +
                                  (vi.interface.empty() ? "the default interface"
                                                        : "'" + vi.interface + "'") +
                                  " is already used by vrrp_instance '" + it->second->name + "'");
    }
}

std::string service_name(const VirtualServer& vs) {
    switch (vs.kind) {
    case VirtualServerKind::fwmark:
        return "fwmark " + std::to_string(vs.fwmark);
    case VirtualServerKind::group:
        return "group " + vs.group;
    case VirtualServerKind::address:
        break;
    }
    return vs.address.str() + " port " + std::to_string(vs.port);
}

void check_virtual_servers(Config& c, Diagnostics& d) {
    auto groups = index_by_name(c.virtual_server_groups, "virtual_server_group", d);
    std::unordered_set<std::string> services;
    services.reserve(c.virtual_servers.size());
    for (auto& vs : c.virtual_servers) {
        if (vs.kind == VirtualServerKind::group && !groups.count(vs.group))
            d.error(vs.where,
                    "virtual_server group '" + vs.group + "' names no virtual_server_group");
        std::string name = service_name(vs);
        if (vs.real_servers.empty() && !vs.sorry_server)
            d.warning(vs.where, "virtual_server " + name + " has no real servers; it does nothing");
        if (!services.insert(name + '/' + std::to_string(static_cast<int>(vs.protocol))).second)
            d.error(vs.where, "virtual_server " + name + " is defined twice");
        for (auto& rs : vs.real_servers) {
            // Accepted so that a keepalived.conf loads, but nothing runs them yet: say so where
            // the operator can see it before the switch-over (lvs-director -t), not only in a log.
            for (const auto& ck : rs.checkers)
                if (ck.kind == CheckerKind::smtp || ck.kind == CheckerKind::dns ||
                    ck.kind == CheckerKind::udp || ck.kind == CheckerKind::ping ||
                    ck.kind == CheckerKind::file)
                    d.warning(ck.common.where,
                              std::string(checker_keyword(ck.kind)) +
                                  " is not implemented yet: it does not check real server " +
                                  rs.address.str() + " port " + std::to_string(rs.port) +
                                  ", which counts as up unless another checker says otherwise");
            // DR and TUN deliver the packet as the client sent it, to the service's port; like
            // keepalived, a different real server port is reset to it (and checked there).
            auto method = rs.lvs_method.value_or(vs.lvs_method);
            if (vs.kind == VirtualServerKind::address && vs.port != 0 && rs.port != vs.port &&
                method != LvsMethod::nat) {
                if (rs.port != 0)
                    d.warning(rs.where, "real server " + rs.address.str() + " port " +
                                            std::to_string(rs.port) + ": " +
                                            (method == LvsMethod::dr ? "DR" : "TUN") +
                                            " cannot change the port; using the virtual "
                                            "server's port " +
                                            std::to_string(vs.port));
                rs.port = vs.port;
            }
            // IPVS forwards across families only by tunnelling.
            if (vs.kind == VirtualServerKind::address &&
                rs.lvs_method.value_or(vs.lvs_method) != LvsMethod::tun &&
                rs.address.family != vs.address.family)
                d.error(rs.where, "real server " + rs.address.str() + " is " +
                                      family_name(rs.address) + " but the virtual server is " +
                                      family_name(vs.address) + "; only TUN can mix families");
            if (rs.uthreshold && rs.lthreshold > rs.uthreshold)
                d.error(rs.where, "lthreshold is above uthreshold");
        }
        // keepalived resets it with an error; IPVS would apply it to nothing else.
        if (vs.ops && vs.protocol != Protocol::udp)
            d.error(vs.where, "virtual_server " + name +
                                  ": 'ops' (one-packet scheduling) needs "
                                  "protocol UDP");
        if (vs.sorry_server && vs.kind == VirtualServerKind::address &&
            vs.sorry_server->address.family != vs.address.family && vs.lvs_method != LvsMethod::tun)
            d.error(vs.sorry_server->where, "sorry_server is not of the virtual server's family");
    }
}

} // namespace

void check_config(Config& c, Diagnostics& d) {
    if (c.global_defs.agent_report_port != 0 && c.global_defs.agent_key_file.empty())
        d.error(c.global_defs.where, "agent_report_port needs agent_key_file: reports are "
                                     "accepted only when they are authenticated");
    auto scripts = index_by_name(c.vrrp_scripts, "vrrp_script", d);
    for (const auto& s : c.vrrp_scripts)
        if (s.script.command.empty())
            d.error(s.where, "vrrp_script '" + s.name + "' has no script");
    index_by_name(c.vrrp_instances, "vrrp_instance", d);
    for (auto& vi : c.vrrp_instances)
        check_instance(vi, c, scripts, d);
    for (const auto& g : c.vrrp_sync_groups)
        check_tracked_scripts(g.track_script, scripts, d);
    check_sync_groups(c, d);
    check_vrids(c, d);
    check_virtual_servers(c, d);
    if (const auto& sd = c.global_defs.lvs_sync_daemon; sd && !sd->vrrp_instance.empty()) {
        bool found = false;
        for (const auto& vi : c.vrrp_instances)
            found = found || vi.name == sd->vrrp_instance;
        if (!found) // keepalived says nothing; the daemons would follow no instance
            d.warning(sd->where, "lvs_sync_daemon follows vrrp_instance '" + sd->vrrp_instance +
                                     "', which is not defined");
    }
}

} // namespace lvsd::director::config
