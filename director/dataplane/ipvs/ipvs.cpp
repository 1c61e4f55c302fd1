#include "director/dataplane/ipvs/ipvs.h"

#include "director/dataplane/ipvs/attrs.h"

#include <arpa/inet.h>
#include <cstring>
#include <linux/ip_vs.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <set>

namespace lvsd::director::dataplane::ipvs {

std::string Info::version_str() const {
    return std::to_string(version >> 16) + "." + std::to_string(version >> 8 & 0xff) + "." +
           std::to_string(version & 0xff);
}

Ipvs::Ipvs() : sock_(IPVS_GENL_NAME) {}

Info Ipvs::info() {
    Info out;
    int err = sock_.request(sock_.message(IPVS_CMD_GET_INFO), IPVS_INFO_ATTR_MAX, [&](nlattr** tb) {
        if (tb[IPVS_INFO_ATTR_VERSION])
            out.version = nla_get_u32(tb[IPVS_INFO_ATTR_VERSION]);
        if (tb[IPVS_INFO_ATTR_CONN_TAB_SIZE])
            out.conn_table_size = nla_get_u32(tb[IPVS_INFO_ATTR_CONN_TAB_SIZE]);
    });
    if (err)
        throw GenlError("IPVS GET_INFO", err);
    return out;
}

Table Ipvs::read_table() {
    Table t;
    int err = sock_.request(sock_.message(IPVS_CMD_GET_SERVICE, true), IPVS_CMD_ATTR_MAX,
                            [&](nlattr** tb) {
                                if (auto s = parse_service(tb[IPVS_CMD_ATTR_SERVICE]))
                                    t.add(*s);
                            });
    if (err)
        throw GenlError("IPVS service dump", err);
    for (auto& [key, svc] : t.services) {
        auto m = sock_.message(IPVS_CMD_GET_DEST, true);
        put_service(m.get(), svc, false);
        int family = key.family;
        err = sock_.request(std::move(m), IPVS_CMD_ATTR_MAX, [&](nlattr** tb) {
            if (auto d = parse_destination(tb[IPVS_CMD_ATTR_DEST], family))
                svc.add(*d);
        });
        // A service deleted between the two dumps has no destinations to list.
        if (err && err != ESRCH && err != ENOENT)
            throw GenlError("IPVS destination dump of " + key.str(), err);
    }
    return t;
}

int Ipvs::apply_one(const Op& op) {
    uint8_t cmd = 0;
    switch (op.kind) {
    case OpKind::add_service:
        cmd = IPVS_CMD_NEW_SERVICE;
        break;
    case OpKind::edit_service:
        cmd = IPVS_CMD_SET_SERVICE;
        break;
    case OpKind::delete_service:
        cmd = IPVS_CMD_DEL_SERVICE;
        break;
    case OpKind::add_destination:
        cmd = IPVS_CMD_NEW_DEST;
        break;
    case OpKind::edit_destination:
        cmd = IPVS_CMD_SET_DEST;
        break;
    case OpKind::delete_destination:
        cmd = IPVS_CMD_DEL_DEST;
        break;
    }
    auto m = sock_.message(cmd);
    bool service_op = !op.destination;
    put_service(m.get(), op.service, service_op && op.kind != OpKind::delete_service);
    if (!service_op)
        put_destination(m.get(), op.service, *op.destination,
                        op.kind != OpKind::delete_destination);
    return sock_.request(std::move(m));
}

ApplyResult Ipvs::apply(const std::vector<Op>& ops) {
    ApplyResult r;
    std::set<ServiceKey> refused; // services whose add failed: their destinations cannot follow
    for (const auto& op : ops) {
        if (op.kind == OpKind::add_destination && refused.count(op.service.key)) {
            r.skipped.push_back(op);
            continue;
        }
        if (int err = apply_one(op)) {
            r.errors.push_back(ApplyError{op, err});
            if (op.kind == OpKind::add_service)
                refused.insert(op.service.key);
        } else {
            ++r.applied;
        }
    }
    return r;
}

Timeouts Ipvs::timeouts() {
    Timeouts t;
    int err =
        sock_.request(sock_.message(IPVS_CMD_GET_CONFIG), IPVS_CMD_ATTR_MAX, [&](nlattr** tb) {
            auto get = [&](int type) { return tb[type] ? nla_get_u32(tb[type]) : 0u; };
            t.tcp = get(IPVS_CMD_ATTR_TIMEOUT_TCP);
            t.tcp_fin = get(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN);
            t.udp = get(IPVS_CMD_ATTR_TIMEOUT_UDP);
        });
    if (err)
        throw GenlError("IPVS GET_CONFIG", err);
    return t;
}

void Ipvs::set_timeouts(const Timeouts& t) {
    auto m = sock_.message(IPVS_CMD_SET_CONFIG);
    if (nla_put_u32(m.get(), IPVS_CMD_ATTR_TIMEOUT_TCP, t.tcp) < 0 ||
        nla_put_u32(m.get(), IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, t.tcp_fin) < 0 ||
        nla_put_u32(m.get(), IPVS_CMD_ATTR_TIMEOUT_UDP, t.udp) < 0)
        throw GenlError("IPVS SET_CONFIG", EMSGSIZE);
    if (int err = sock_.request(std::move(m)))
        throw GenlError("IPVS SET_CONFIG", err);
}

std::vector<SyncDaemon> Ipvs::sync_daemons() {
    std::vector<SyncDaemon> out;
    int err = sock_.request(
        sock_.message(IPVS_CMD_GET_DAEMON, true), IPVS_CMD_ATTR_MAX, [&](nlattr** top) {
            nla_policy policy[IPVS_DAEMON_ATTR_MAX + 1] = {};
            nlattr* tb[IPVS_DAEMON_ATTR_MAX + 1] = {};
            if (!top[IPVS_CMD_ATTR_DAEMON] ||
                nla_parse_nested(tb, IPVS_DAEMON_ATTR_MAX, top[IPVS_CMD_ATTR_DAEMON], policy) < 0 ||
                !tb[IPVS_DAEMON_ATTR_STATE])
                return;
            SyncDaemon d;
            d.state = static_cast<SyncState>(nla_get_u32(tb[IPVS_DAEMON_ATTR_STATE]));
            if (tb[IPVS_DAEMON_ATTR_MCAST_IFN])
                d.interface = nla_get_string(tb[IPVS_DAEMON_ATTR_MCAST_IFN]);
            if (tb[IPVS_DAEMON_ATTR_SYNC_ID])
                d.sync_id = nla_get_u32(tb[IPVS_DAEMON_ATTR_SYNC_ID]);
            if (tb[IPVS_DAEMON_ATTR_SYNC_MAXLEN])
                d.max_len = nla_get_u16(tb[IPVS_DAEMON_ATTR_SYNC_MAXLEN]);
            if (tb[IPVS_DAEMON_ATTR_MCAST_GROUP]) {
                net::IpAddress a;
                a.family = AF_INET;
                a.prefix_len = 32;
                uint32_t be = nla_get_u32(tb[IPVS_DAEMON_ATTR_MCAST_GROUP]);
                std::memcpy(a.bytes.data(), &be, 4);
                d.group = a;
            } else if (tb[IPVS_DAEMON_ATTR_MCAST_GROUP6] &&
                       nla_len(tb[IPVS_DAEMON_ATTR_MCAST_GROUP6]) >= 16) {
                net::IpAddress a;
                a.family = AF_INET6;
                a.prefix_len = 128;
                std::memcpy(a.bytes.data(), nla_data(tb[IPVS_DAEMON_ATTR_MCAST_GROUP6]), 16);
                d.group = a;
            }
            if (tb[IPVS_DAEMON_ATTR_MCAST_PORT])
                d.port = nla_get_u16(tb[IPVS_DAEMON_ATTR_MCAST_PORT]);
            if (tb[IPVS_DAEMON_ATTR_MCAST_TTL])
                d.ttl = nla_get_u8(tb[IPVS_DAEMON_ATTR_MCAST_TTL]);
            out.push_back(std::move(d));
        });
    if (err)
        throw GenlError("IPVS daemon dump", err);
    return out;
}

void Ipvs::start_sync_daemon(const SyncDaemon& d) {
    auto m = sock_.message(IPVS_CMD_NEW_DAEMON);
    nl_msg* msg = m.get();
    nlattr* nest = nla_nest_start(msg, IPVS_CMD_ATTR_DAEMON);
    bool ok = nest &&
              nla_put_u32(msg, IPVS_DAEMON_ATTR_STATE, static_cast<uint32_t>(d.state)) >= 0 &&
              nla_put_string(msg, IPVS_DAEMON_ATTR_MCAST_IFN, d.interface.c_str()) >= 0 &&
              nla_put_u32(msg, IPVS_DAEMON_ATTR_SYNC_ID, d.sync_id) >= 0;
    if (ok && d.max_len)
        ok = nla_put_u16(msg, IPVS_DAEMON_ATTR_SYNC_MAXLEN, *d.max_len) >= 0;
    if (ok && d.group) {
        if (d.group->is_v4()) {
            uint32_t be;
            std::memcpy(&be, d.group->bytes.data(), 4);
            ok = nla_put_u32(msg, IPVS_DAEMON_ATTR_MCAST_GROUP, be) >= 0;
        } else {
            ok = nla_put(msg, IPVS_DAEMON_ATTR_MCAST_GROUP6, 16, d.group->bytes.data()) >= 0;
        }
    }
    if (ok && d.port)
        ok = nla_put_u16(msg, IPVS_DAEMON_ATTR_MCAST_PORT, *d.port) >= 0;
    if (ok && d.ttl)
        ok = nla_put_u8(msg, IPVS_DAEMON_ATTR_MCAST_TTL, *d.ttl) >= 0;
    if (!ok)
        throw GenlError("IPVS NEW_DAEMON", EMSGSIZE);
    nla_nest_end(msg, nest);
    if (int err = sock_.request(std::move(m)))
        throw GenlError("IPVS sync daemon start on " + d.interface, err);
}

void Ipvs::stop_sync_daemon(SyncState state) {
    auto m = sock_.message(IPVS_CMD_DEL_DAEMON);
    nlattr* nest = nla_nest_start(m.get(), IPVS_CMD_ATTR_DAEMON);
    if (!nest || nla_put_u32(m.get(), IPVS_DAEMON_ATTR_STATE, static_cast<uint32_t>(state)) < 0)
        throw GenlError("IPVS DEL_DAEMON", EMSGSIZE);
    nla_nest_end(m.get(), nest);
    if (int err = sock_.request(std::move(m)))
        throw GenlError("IPVS sync daemon stop", err);
}

} // namespace lvsd::director::dataplane::ipvs
