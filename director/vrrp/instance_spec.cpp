#include "vrrp/instance_spec.h"

#include <netinet/in.h>

namespace lvsd::vrrp {

namespace cfg = lvsd::director::config;

namespace {

Duration seconds(double s) {
    return Duration(static_cast<int64_t>(s * 1e6 + 0.5));
}

int family_of(const cfg::VrrpInstance& vi) {
    if (!vi.virtual_ipaddress.empty())
        return vi.virtual_ipaddress.front().address.family;
    if (!vi.unicast_peer.empty())
        return vi.unicast_peer.front().address.family;
    return AF_INET;
}

Vip vip_of(const cfg::VirtualAddress& a, const cfg::VrrpInstance& vi, bool advertised) {
    return Vip{a.address, a.dev.empty() ? vi.interface : a.dev, a.label, a.scope, advertised};
}

VirtualRoute route_of(const cfg::VirtualRoute& r) {
    VirtualRoute v;
    v.route.destination = r.destination;
    v.route.via = r.via;
    v.route.source = r.source;
    if (!r.table.empty())
        v.route.table = r.table;
    v.route.scope = r.scope;
    v.route.type = r.type;
    v.route.metric = r.metric;
    v.dev = r.dev;
    return v;
}

InstanceSpec spec_of(const cfg::VrrpInstance& vi) {
    InstanceSpec s;
    s.name = vi.name;
    s.interface = vi.interface;
    s.family = family_of(vi);
    const auto version = vi.version == 3 ? Version::v3 : Version::v2;
    const auto interval_cs = static_cast<uint16_t>(vi.advert_int * 100 + 0.5);

    s.params.version = version;
    s.params.priority = static_cast<uint8_t>(vi.priority);
    s.params.advert_interval_cs = interval_cs;
    s.params.preempt = vi.preempt;
    s.params.preempt_delay = seconds(vi.preempt_delay);

    s.advert.version = version;
    s.advert.vrid = static_cast<uint8_t>(vi.virtual_router_id);
    s.advert.interval_cs = interval_cs;
    s.expected.version = version;
    s.expected.family = s.family;
    s.expected.vrid = s.advert.vrid;
    s.expected.interval_cs = interval_cs;
    if (version == Version::v2 && vi.authentication &&
        vi.authentication->type == cfg::AuthType::pass) {
        s.advert.auth_type = s.expected.auth_type = AuthType::simple;
        s.advert.auth_data = s.expected.password = make_password(vi.authentication->pass);
    }

    for (const auto& a : vi.virtual_ipaddress) {
        s.vips.push_back(vip_of(a, vi, true));
        if (a.address.family == s.family) {
            auto bare = a.address;
            bare.prefix_len = bare.max_prefix();
            s.advert.addresses.push_back(bare);
        }
    }
    for (const auto& a : vi.virtual_ipaddress_excluded)
        s.vips.push_back(vip_of(a, vi, false));
    s.expected.address_count = s.advert.addresses.size();
    for (const auto& r : vi.virtual_routes)
        s.routes.push_back(route_of(r));

    s.source = vi.unicast_peer.empty() ? vi.mcast_src_ip : vi.unicast_src_ip;
    for (const auto& p : vi.unicast_peer)
        s.unicast_peers.push_back(p.address);

    s.garp.master_delay = seconds(vi.garp_master_delay);
    s.garp.master_repeat = vi.garp_master_repeat;
    s.garp.master_refresh = seconds(vi.garp_master_refresh);
    s.garp.master_refresh_repeat = vi.garp_master_refresh_repeat;
    return s;
}

bool same_params(const InstanceParams& a, const InstanceParams& b) {
    return a.version == b.version && a.priority == b.priority &&
           a.advert_interval_cs == b.advert_interval_cs && a.preempt == b.preempt &&
           a.preempt_delay == b.preempt_delay && a.primary_address == b.primary_address;
}

bool same_expected(const Expected& a, const Expected& b) {
    return a.version == b.version && a.family == b.family && a.vrid == b.vrid &&
           a.address_count == b.address_count && a.interval_cs == b.interval_cs &&
           a.auth_type == b.auth_type && a.password == b.password;
}

} // namespace

bool InstanceSpec::operator==(const InstanceSpec& o) const {
    return name == o.name && interface == o.interface && family == o.family &&
           same_params(params, o.params) && same_expected(expected, o.expected) &&
           advert == o.advert && vips == o.vips && routes == o.routes && source == o.source &&
           unicast_peers == o.unicast_peers && garp == o.garp;
}

bool InstanceSpec::same_but_addresses(const InstanceSpec& o) const {
    InstanceSpec t = o;
    t.vips = vips;
    t.routes = routes;
    t.garp = garp;
    t.advert.addresses = advert.addresses;
    t.expected.address_count = expected.address_count;
    return *this == t;
}

std::vector<InstanceSpec> build_specs(const cfg::Config& c) {
    std::vector<InstanceSpec> out;
    out.reserve(c.vrrp_instances.size());
    for (const auto& vi : c.vrrp_instances)
        out.push_back(spec_of(vi));
    return out;
}

} // namespace lvsd::vrrp
