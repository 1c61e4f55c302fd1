// virtual_server, its real_servers, and virtual_server_group.
#include "director/config/sections.h"

#include <strings.h>
#include <unordered_set>

namespace lvsd::director::config {

using conf::Statement;

namespace {

// Schedulers the kernel's IPVS provides (ip_vs_*.ko), as keepalived's man page lists them.
const std::unordered_set<std::string_view> schedulers = {
    "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos"};

// Identity of a real server within its virtual server, for duplicate detection.
std::string rs_key(const net::IpAddress& a, int port) {
    std::string k(reinterpret_cast<const char*>(a.bytes.data()), a.is_v4() ? 4 : 16);
    k += static_cast<char>(port >> 8);
    k += static_cast<char>(port & 0xff);
    return k;
}

void lvs_sched(const Statement& s, ParseContext& ctx, VirtualServer& vs) {
    if (!has_args(s, 1, ctx))
        return;
    const auto& w = s.arg(0);
    if (!schedulers.count(w.text))
        return ctx.error(w.where, "unknown scheduler '" + w.text +
                                      "' (rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, "
                                      "mh, twos)");
    vs.lvs_sched = w.text;
}

struct Method {
    LvsMethod method = LvsMethod::nat;
    TunnelOptions tunnel;
};

// `TUN [type {ipip|gue port NUM|gre} [nocsum|csum|remcsum]]`, options in any order, checked as
// keepalived checks them: gue needs a port and only gue has one; gre has no remcsum; ipip no
// checksum at all. `whose` is "virtual server" or "real server", for messages.
std::optional<TunnelOptions> tunnel_options(const Statement& s, ParseContext& ctx,
                                            const char* whose) {
    TunnelOptions t;
    bool has_port = false;
    std::optional<conf::Location> csum_at;
    for (size_t i = 1; i < s.arg_count(); ++i) {
        const auto& w = s.arg(i);
        if (w.text == "type" || w.text == "port") {
            if (i + 1 >= s.arg_count()) {
                ctx.error(w.where, "'" + w.text + "' needs a value");
                return std::nullopt;
            }
            const auto& v = s.arg(++i);
            if (w.text == "port") {
                auto p = to_int(v, 1, 65535, ctx);
                if (!p)
                    return std::nullopt;
                t.port = static_cast<int>(*p);
                has_port = true;
            } else if (v.text == "ipip") {
                t.type = TunnelType::ipip;
            } else if (v.text == "gue") {
                t.type = TunnelType::gue;
            } else if (v.text == "gre") {
                t.type = TunnelType::gre;
            } else {
                ctx.error(v.where, "unknown tunnel type '" + v.text + "' (ipip, gue or gre)");
                return std::nullopt;
            }
        } else if (w.text == "nocsum" || w.text == "csum" || w.text == "remcsum") {
            t.checksum = w.text == "csum"      ? TunnelChecksum::csum
                         : w.text == "remcsum" ? TunnelChecksum::remcsum
                                               : TunnelChecksum::nocsum;
            csum_at = w.where;
        } else {
            ctx.error(w.where, "unknown tunnel option '" + w.text + "' for " + whose +
                                   " (type, port, nocsum, csum, remcsum)");
            return std::nullopt;
        }
    }
    if ((t.type == TunnelType::gue) != has_port) {
        ctx.error(s.arg(0).where, t.type == TunnelType::gue ? "a gue tunnel needs 'port NUM'"
                                                            : "only a gue tunnel has a port");
        return std::nullopt;
    }
    if (t.type == TunnelType::gre && t.checksum == TunnelChecksum::remcsum) {
        ctx.error(*csum_at, "gre tunnels have no remote checksum (remcsum)");
        return std::nullopt;
    }
    if (t.type == TunnelType::ipip && t.checksum != TunnelChecksum::nocsum) {
        ctx.error(*csum_at, "ipip tunnels have no checksum option");
        return std::nullopt;
    }
    return t;
}

std::optional<Method> parse_method(const Statement& s, ParseContext& ctx, const char* whose) {
    if (!has_args(s, 1, ctx))
        return std::nullopt;
    const auto& w = s.arg(0);
    Method m;
    if (strcasecmp(w.text.c_str(), "NAT") == 0)
        m.method = LvsMethod::nat;
    else if (strcasecmp(w.text.c_str(), "DR") == 0)
        m.method = LvsMethod::dr;
    else if (strcasecmp(w.text.c_str(), "TUN") == 0)
        m.method = LvsMethod::tun;
    else {
        ctx.error(w.where, "unknown lvs_method '" + w.text + "' (NAT, DR or TUN)");
        return std::nullopt;
    }
    if (m.method == LvsMethod::tun) {
        auto t = tunnel_options(s, ctx, whose);
        if (!t)
            return std::nullopt;
        m.tunnel = *t;
    } else if (s.arg_count() > 1) {
        ctx.warning(s.arg(1).where, "tunnel options apply to lvs_method TUN only; ignored");
    }
    return m;
}

void lvs_method(const Statement& s, ParseContext& ctx, VirtualServer& vs) {
    if (auto m = parse_method(s, ctx, "virtual server")) {
        vs.lvs_method = m->method;
        vs.tunnel = m->tunnel;
    }
}

// flag-1..3, and their names for the sh and mh schedulers, which keepalived takes only once
// lvs_sched is sh or mh (either name works with either scheduler: they are the same bits).
void sched_flag(const Statement& s, ParseContext& ctx, VirtualServer& vs) {
    no_args(s, ctx);
    const std::string& k = s.keyword();
    if (k == "flag-1")
        vs.sched_flag_1 = true;
    else if (k == "flag-2")
        vs.sched_flag_2 = true;
    else if (k == "flag-3")
        vs.sched_flag_3 = true;
    else if (vs.lvs_sched != "sh" && vs.lvs_sched != "mh")
        ctx.error(s.where(), "'" + k +
                                 "' applies to the sh and mh schedulers only (write it after "
                                 "'lvs_sched sh' or 'lvs_sched mh')");
    else if (k == "sh-fallback" || k == "mh-fallback")
        vs.sched_flag_1 = true;
    else
        vs.sched_flag_2 = true;
}

template <class T> void flag(bool T::*member, const Statement& s, ParseContext& ctx, T& t) {
    no_args(s, ctx);
    t.*member = true;
}

const KeywordTable<VirtualServer> vs_table = {
    {"delay_loop",
     [](const Statement& s, ParseContext& ctx, VirtualServer& vs) {
         if (auto v = number_arg(s, 0.001, 86400, ctx))
             vs.delay_loop = *v;
     }},
    {"lvs_sched", lvs_sched},
    {"lb_algo", lvs_sched}, // deprecated synonym
    {"lvs_method", lvs_method},
    {"lb_kind", lvs_method}, // deprecated synonym
    {"flag-1", sched_flag},
    {"flag-2", sched_flag},
    {"flag-3", sched_flag},
    {"sh-fallback", sched_flag},
    {"sh-port", sched_flag},
    {"mh-fallback", sched_flag},
    {"mh-port", sched_flag},
    {"ops", [](const Statement& s, ParseContext& ctx,
               VirtualServer& vs) { flag(&VirtualServer::ops, s, ctx, vs); }},
    {"hashed",
     [](const Statement& s, ParseContext& ctx, VirtualServer&) {
         no_args(s, ctx);
         ctx.note(s.where(), "'hashed' has no effect: the kernel marks every service hashed");
     }},
    {"persistence_engine",
     [](const Statement& s, ParseContext& ctx, VirtualServer& vs) {
         if (auto v = string_arg(s, ctx))
             vs.persistence_engine = *v;
     }},
    {"persistence_timeout",
     [](const Statement& s, ParseContext& ctx, VirtualServer& vs) {
         // A bare keyword means keepalived's default of 6 minutes; 0 means no persistence.
         if (s.arg_count() == 0) {
             vs.persistence_timeout = 360;
             return;
         }
         if (auto v = to_int(s.arg(0), 0, 2678400, ctx)) { // 31 days, as keepalived
             if (*v == 0)
                 vs.persistence_timeout.reset();
             else
                 vs.persistence_timeout = static_cast<unsigned>(*v);
         }
     }},
    {"persistence_granularity",
     [](const Statement& s, ParseContext& ctx, VirtualServer& vs) {
         if (auto a = ip_arg(s, ctx))
             vs.persistence_granularity = a;
     }},
    {"protocol",
     [](const Statement& s, ParseContext& ctx, VirtualServer& vs) {
         if (!has_args(s, 1, ctx))
             return;
         const auto& w = s.arg(0);
         if (strcasecmp(w.text.c_str(), "TCP") == 0)
             vs.protocol = Protocol::tcp;
         else if (strcasecmp(w.text.c_str(), "UDP") == 0)
             vs.protocol = Protocol::udp;
         else if (strcasecmp(w.text.c_str(), "SCTP") == 0)
             vs.protocol = Protocol::sctp;
         else
             return ctx.error(w.where, "unknown protocol '" + w.text + "' (TCP, UDP or SCTP)");
         if (vs.kind == VirtualServerKind::fwmark)
             ctx.warning(s.where(), "a fwmark service matches every protocol; 'protocol' is "
                                    "ignored");
     }},
    {"sorry_server",
     [](const Statement& s, ParseContext& ctx, VirtualServer& vs) {
         auto a = ip_arg(s, ctx);
         if (!a)
             return;
         SorryServer ss{s.arg(0).where, *a, 0};
         if (s.arg_count() > 1) {
             auto p = to_port(s.arg(1), ctx);
             if (!p)
                 return;
             ss.port = *p;
         }
         vs.sorry_server = ss;
     }},
    {"quorum",
     [](const Statement& s, ParseContext& ctx, VirtualServer& vs) {
         if (auto v = int_arg(s, 1, 2147483647L, ctx))
             vs.quorum = static_cast<int>(*v);
     }},
    {"hysteresis",
     [](const Statement& s, ParseContext& ctx, VirtualServer& vs) {
         if (auto v = int_arg(s, 0, 2147483647L, ctx))
             vs.hysteresis = static_cast<int>(*v);
     }},
    {"quorum_up", [](const Statement& s, ParseContext& ctx,
                     VirtualServer& vs) { vs.quorum_up = script_arg(s, ctx); }},
    {"quorum_down", [](const Statement& s, ParseContext& ctx,
                       VirtualServer& vs) { vs.quorum_down = script_arg(s, ctx); }},
    {"alpha", [](const Statement& s, ParseContext& ctx,
                 VirtualServer& vs) { flag(&VirtualServer::alpha, s, ctx, vs); }},
    {"omega", [](const Statement& s, ParseContext& ctx,
                 VirtualServer& vs) { flag(&VirtualServer::omega, s, ctx, vs); }},
    {"inhibit_on_failure",
     [](const Statement& s, ParseContext& ctx, VirtualServer& vs) {
         flag(&VirtualServer::inhibit_on_failure, s, ctx, vs);
     }},
    {"virtualhost",
     [](const Statement& s, ParseContext& ctx, VirtualServer& vs) {
         if (auto v = string_arg(s, ctx))
             vs.virtualhost = *v;
     }},
    {"nat_mask",
     [](const Statement& s, ParseContext& ctx, VirtualServer&) {
         // LVS took the mask from the routing table long ago; keepalived ignores it too.
         ctx.note(s.where(), "'nat_mask' is obsolete and ignored");
     }},
    {"real_server", parse_real_server},
};

const KeywordTable<RealServer> rs_table = {
    {"lvs_method",
     [](const Statement& s, ParseContext& ctx, RealServer& rs) {
         if (auto m = parse_method(s, ctx, "real server")) {
             rs.lvs_method = m->method;
             rs.tunnel = m->tunnel;
         }
     }},
    {"weight",
     [](const Statement& s, ParseContext& ctx, RealServer& rs) {
         // IPVS stores a signed 32-bit weight; keepalived limits it to 16 bits.
         if (auto v = int_arg(s, 0, 65535, ctx))
             rs.weight = static_cast<int>(*v);
     }},
    {"inhibit_on_failure",
     [](const Statement& s, ParseContext& ctx, RealServer& rs) {
         no_args(s, ctx);
         rs.inhibit_on_failure = true;
     }},
    {"notify_up", [](const Statement& s, ParseContext& ctx,
                     RealServer& rs) { rs.notify_up = script_arg(s, ctx); }},
    {"notify_down", [](const Statement& s, ParseContext& ctx,
                       RealServer& rs) { rs.notify_down = script_arg(s, ctx); }},
    {"uthreshold",
     [](const Statement& s, ParseContext& ctx, RealServer& rs) {
         if (auto v = int_arg(s, 0, 2147483647L, ctx))
             rs.uthreshold = static_cast<int>(*v);
     }},
    {"lthreshold",
     [](const Statement& s, ParseContext& ctx, RealServer& rs) {
         if (auto v = int_arg(s, 0, 2147483647L, ctx))
             rs.lthreshold = static_cast<int>(*v);
     }},
    {"TCP_CHECK", parse_checker},
    {"HTTP_GET", parse_checker},
    {"SSL_GET", parse_checker},
    {"MISC_CHECK", parse_checker},
    {"SMTP_CHECK", parse_checker},
    {"DNS_CHECK", parse_checker},
    {"UDP_CHECK", parse_checker},
    {"PING_CHECK", parse_checker},
    {"FILE_CHECK", parse_checker},
    {"AGENT_CHECK", parse_checker},
};

// `fwmark N [inet|inet6]`, `ADDR[-LAST] [PORT]` or `ADDR/LEN [PORT]` in a virtual_server_group.
std::optional<VirtualServerGroupEntry> group_entry(const Statement& line, ParseContext& ctx) {
    VirtualServerGroupEntry e;
    e.where = line.where();
    if (line.keyword() == "fwmark") {
        auto v = int_arg(line, 1, 4294967295L, ctx);
        if (!v)
            return std::nullopt;
        e.is_fwmark = true;
        e.fwmark = static_cast<unsigned>(*v);
        return e;
    }
    const auto& w = line.words[0];
    std::string addr = w.text;
    size_t dash = addr.rfind('-');
    if (dash != std::string::npos) {
        conf::Word last{addr.substr(dash + 1), false, w.where};
        last.where.col += static_cast<int>(dash + 1);
        auto v = to_int(last, 0, 65535, ctx);
        if (!v)
            return std::nullopt;
        e.range_last = static_cast<int>(*v);
        addr.resize(dash);
    }
    auto a = to_ip(conf::Word{addr, false, w.where}, ctx, true);
    if (!a)
        return std::nullopt;
    e.address = *a;
    if (e.range_last >= 0) {
        int first = a->is_v4() ? a->bytes[3] : (a->bytes[14] << 8 | a->bytes[15]);
        if (e.range_last < first || (a->is_v4() && e.range_last > 255)) {
            ctx.error(w.where, "range '" + w.text + "' ends before it starts or past the octet");
            return std::nullopt;
        }
    }
    if (line.words.size() > 1) {
        auto p = to_port(line.words[1], ctx);
        if (!p)
            return std::nullopt;
        e.port = *p;
    }
    return e;
}

} // namespace

void parse_real_server(const Statement& s, ParseContext& ctx, VirtualServer& vs) {
    if (!has_args(s, 1, ctx))
        return;
    RealServer rs;
    rs.where = s.where();
    auto a = to_ip(s.arg(0), ctx, false);
    if (!a)
        return;
    rs.address = *a;
    if (s.arg_count() > 1) {
        auto p = to_port(s.arg(1), ctx);
        if (!p)
            return;
        rs.port = *p;
    }
    if (s.has_block)
        parse_block(s.block, "virtual_server/real_server", rs_table, ctx, rs);
    vs.real_servers.push_back(std::move(rs));
}

void parse_virtual_server(const Statement& s, ParseContext& ctx, Config& c) {
    if (!has_args(s, 1, ctx) || !needs_block(s, ctx))
        return;
    VirtualServer vs;
    vs.where = s.where();
    const auto& first = s.arg(0);
    if (first.text == "fwmark" || first.text == "group") {
        if (!has_args(s, 2, ctx))
            return;
        if (first.text == "fwmark") {
            vs.kind = VirtualServerKind::fwmark;
            auto v = to_int(s.arg(1), 1, 4294967295L, ctx);
            if (!v)
                return;
            vs.fwmark = static_cast<unsigned>(*v);
        } else {
            vs.kind = VirtualServerKind::group;
            vs.group = s.arg(1).text;
        }
    } else {
        auto a = to_ip(first, ctx, false);
        if (!a)
            return;
        vs.address = *a;
        if (s.arg_count() > 1) {
            auto p = to_port(s.arg(1), ctx);
            if (!p)
                return;
            vs.port = *p;
        }
    }
    parse_block(s.block, "virtual_server", vs_table, ctx, vs);

    // Duplicates in one service: IPVS would refuse the second; a hash set keeps this linear.
    std::unordered_set<std::string> seen;
    seen.reserve(vs.real_servers.size());
    for (const auto& rs : vs.real_servers)
        if (!seen.insert(rs_key(rs.address, rs.port)).second)
            ctx.error(rs.where, "real server " + rs.address.str() + " port " +
                                    std::to_string(rs.port) +
                                    " is listed twice in this virtual_server");
    c.virtual_servers.push_back(std::move(vs));
}

void parse_virtual_server_group(const Statement& s, ParseContext& ctx, Config& c) {
    if (!has_args(s, 1, ctx) || !needs_block(s, ctx))
        return;
    VirtualServerGroup g;
    g.where = s.where();
    g.name = s.arg(0).text;
    for (const auto& line : s.block)
        if (auto e = group_entry(line, ctx))
            g.entries.push_back(std::move(*e));
    c.virtual_server_groups.push_back(std::move(g));
}

} // namespace lvsd::director::config
