#include "director/dataplane/desired_table.h"

#include <sys/socket.h>

namespace lvsd::director::dataplane {

namespace {

using config::VirtualServer;

Protocol protocol_of(config::Protocol p) {
    switch (p) {
    case config::Protocol::udp:
        return Protocol::udp;
    case config::Protocol::sctp:
        return Protocol::sctp;
    case config::Protocol::tcp:
        break;
    }
    return Protocol::tcp;
}

Forward forward_of(config::LvsMethod m) {
    switch (m) {
    case config::LvsMethod::dr:
        return Forward::dr;
    case config::LvsMethod::tun:
        return Forward::tun;
    case config::LvsMethod::nat:
        break;
    }
    return Forward::nat;
}

TunnelType tunnel_type_of(config::TunnelType t) {
    switch (t) {
    case config::TunnelType::gue:
        return TunnelType::gue;
    case config::TunnelType::gre:
        return TunnelType::gre;
    case config::TunnelType::ipip:
        break;
    }
    return TunnelType::ipip;
}

// Forwarding method and tunnel settings of a destination: the real server's lvs_method, else
// the virtual server's.
void set_forward(Destination& d, config::LvsMethod method, const config::TunnelOptions& t) {
    d.forward = forward_of(method);
    if (d.forward != Forward::tun)
        return;
    d.tunnel_type = tunnel_type_of(t.type);
    d.tunnel_port = static_cast<uint16_t>(t.type == config::TunnelType::gue ? t.port : 0);
    d.tunnel_flags = t.checksum == config::TunnelChecksum::csum      ? tunnel_flag::csum
                     : t.checksum == config::TunnelChecksum::remcsum ? tunnel_flag::remcsum
                                                                     : 0;
}

uint32_t service_flags_of(const VirtualServer& vs) {
    uint32_t f = 0;
    if (vs.sched_flag_1)
        f |= service_flag::sched1;
    if (vs.sched_flag_2)
        f |= service_flag::sched2;
    if (vs.sched_flag_3)
        f |= service_flag::sched3;
    if (vs.ops)
        f |= service_flag::one_packet;
    return f;
}

std::optional<SyncDaemonSpec> sync_daemon_of(const config::Config& c) {
    const auto& sd = c.global_defs.lvs_sync_daemon;
    if (!sd)
        return std::nullopt;
    SyncDaemonSpec s;
    s.interface = sd->interface;
    s.vrrp_instance = sd->vrrp_instance;
    if (sd->sync_id) {
        s.sync_id = static_cast<uint8_t>(*sd->sync_id);
    } else {
        for (const auto& vi : c.vrrp_instances)
            if (!sd->vrrp_instance.empty() && vi.name == sd->vrrp_instance)
                s.sync_id = static_cast<uint8_t>(vi.virtual_router_id);
    }
    if (sd->max_len)
        s.max_len = static_cast<uint16_t>(*sd->max_len);
    s.group = sd->group;
    if (sd->port)
        s.port = static_cast<uint16_t>(*sd->port);
    if (sd->ttl)
        s.ttl = static_cast<uint8_t>(*sd->ttl);
    return s;
}

// A fwmark matches packets of any family; IPVS wants one, and keepalived takes it from the real
// servers. IPv4 when there are none.
int fwmark_family(const VirtualServer& vs) {
    return vs.real_servers.empty() ? AF_INET : vs.real_servers.front().address.family;
}

// The service keys one virtual_server stands for.
std::vector<ServiceKey> keys_of(const config::Config& c, const VirtualServer& vs,
                                std::vector<std::string>& notes) {
    std::vector<ServiceKey> keys;
    auto proto = protocol_of(vs.protocol);
    switch (vs.kind) {
    case config::VirtualServerKind::address:
        keys.push_back(ServiceKey::by_address(proto, vs.address, static_cast<uint16_t>(vs.port)));
        break;
    case config::VirtualServerKind::fwmark:
        keys.push_back(ServiceKey::by_fwmark(fwmark_family(vs), vs.fwmark));
        break;
    case config::VirtualServerKind::group: {
        const config::VirtualServerGroup* group = nullptr;
        for (const auto& g : c.virtual_server_groups)
            if (g.name == vs.group) {
                group = &g;
                break;
            }
        if (!group) {
            notes.push_back(vs.where.str() + ": virtual_server group '" + vs.group +
                            "' names no virtual_server_group; left out");
            break;
        }
        for (const auto& e : group->entries) {
            if (e.is_fwmark) {
                keys.push_back(ServiceKey::by_fwmark(fwmark_family(vs), e.fwmark));
                continue;
            }
            auto port = static_cast<uint16_t>(e.port);
            if (e.range_last < 0) {
                keys.push_back(ServiceKey::by_address(proto, e.address, port));
                continue;
            }
            // ADDR-LAST: the final octet (IPv4) or hextet (IPv6) runs up to LAST.
            net::IpAddress a = e.address;
            int first = a.is_v4() ? a.bytes[3] : (a.bytes[14] << 8 | a.bytes[15]);
            for (int v = first; v <= e.range_last; ++v) {
                if (a.is_v4())
                    a.bytes[3] = static_cast<uint8_t>(v);
                else {
                    a.bytes[14] = static_cast<uint8_t>(v >> 8);
                    a.bytes[15] = static_cast<uint8_t>(v & 0xff);
                }
                keys.push_back(ServiceKey::by_address(proto, a, port));
            }
        }
        break;
    }
    }
    return keys;
}

std::optional<Persistence> persistence_of(const VirtualServer& vs, int family,
                                          std::vector<std::string>& notes) {
    if (!vs.persistence_timeout)
        return std::nullopt;
    Persistence p{*vs.persistence_timeout, family == AF_INET6 ? 128 : 32};
    if (const auto& mask = vs.persistence_granularity) {
        auto len = mask_prefix(*mask);
        if (mask->family != family)
            notes.push_back(vs.where.str() + ": persistence_granularity " + mask->str() +
                            " is not of the service's family; ignored");
        else if (!len)
            notes.push_back(vs.where.str() + ": persistence_granularity " + mask->str() +
                            " is not a contiguous mask; ignored");
        else
            p.prefix_len = *len;
    }
    return p;
}

} // namespace

DesiredTable desired_table(const config::Config& config, const WeightOverrides& weights) {
    DesiredTable out;
    if (const auto& t = config.global_defs.lvs_timeouts)
        out.timeouts = ConnTimeouts{t->tcp.value_or(0), t->tcpfin.value_or(0), t->udp.value_or(0)};
    out.sync_daemon = sync_daemon_of(config);
    std::map<ServiceKey, const VirtualServer*> owner;
    for (size_t vi = 0; vi < config.virtual_servers.size(); ++vi) {
        const auto& vs = config.virtual_servers[vi];
        for (const auto& key : keys_of(config, vs, out.notes)) {
            if (auto [it, fresh] = owner.emplace(key, &vs); !fresh) {
                out.notes.push_back(vs.where.str() + ": " + key.str() + " is already defined at " +
                                    it->second->where.str() + "; left out");
                continue;
            }
            Service svc;
            svc.key = key;
            svc.scheduler = vs.lvs_sched;
            svc.persistence = persistence_of(vs, key.family, out.notes);
            svc.flags = service_flags_of(vs);
            svc.pe_name = vs.persistence_engine;
            for (size_t ri = 0; ri < vs.real_servers.size(); ++ri) {
                const auto& rs = vs.real_servers[ri];
                Destination d;
                d.key.address = rs.address;
                d.key.address.prefix_len = rs.address.max_prefix();
                // Not written: the service's own port (fwmark services: 0, the packet's port).
                d.key.port = static_cast<uint16_t>(rs.port ? rs.port : key.port);
                if (rs.lvs_method)
                    set_forward(d, *rs.lvs_method, rs.tunnel);
                else
                    set_forward(d, vs.lvs_method, vs.tunnel);
                auto w = weights.find(RealServerRef{vi, ri});
                d.weight = w != weights.end() ? w->second : rs.weight;
                d.u_threshold = static_cast<uint32_t>(rs.uthreshold);
                d.l_threshold = static_cast<uint32_t>(rs.lthreshold);
                if (d.key.address.family != key.family && d.forward != Forward::tun) {
                    out.notes.push_back(rs.where.str() + ": real server " + rs.address.str() +
                                        " is not of " + key.str() +
                                        "'s family and only TUN can mix families; left out");
                    continue;
                }
                if (svc.destinations.count(d.key)) {
                    out.notes.push_back(rs.where.str() + ": real server " + d.key.str() +
                                        " is listed twice in " + key.str() + "; left out");
                    continue;
                }
                svc.add(d);
            }
            out.table.add(svc);
        }
    }
    return out;
}

} // namespace lvsd::director::dataplane
