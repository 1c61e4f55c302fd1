#include "director/config/sections.h"
#include "math/prime.h"

namespace lvsd::director::config {

using conf::Statement;

namespace {

void smtp_server(const Statement& s, ParseContext& ctx, GlobalDefs& g) {
    if (!has_args(s, 1, ctx))
        return;
    g.smtp_server = s.arg(0).text;
    if (s.arg_count() > 1)
        if (auto p = to_port(s.arg(1), ctx))
            g.smtp_port = *p;
}

// `lvs_timeouts [tcp SECS] [tcpfin SECS] [udp SECS]`, at least one, each 0..31 days.
void lvs_timeouts(const Statement& s, ParseContext& ctx, GlobalDefs& g) {
    LvsTimeouts t;
    bool any = false, bad = false;
    for (size_t i = 0; i < s.arg_count(); ++i) {
        const auto& w = s.arg(i);
        std::optional<unsigned>* slot = w.text == "tcp"      ? &t.tcp
                                        : w.text == "tcpfin" ? &t.tcpfin
                                        : w.text == "udp"    ? &t.udp
                                                             : nullptr;
        if (!slot) {
            ctx.error(w.where, "unknown lvs_timeouts option '" + w.text + "' (tcp, tcpfin, udp)");
            bad = true;
            continue;
        }
        if (i + 1 >= s.arg_count()) {
            ctx.error(w.where, "'" + w.text + "' needs a number of seconds");
            bad = true;
            break;
        }
        if (auto v = to_int(s.arg(++i), 0, 2678400, ctx)) {
            *slot = static_cast<unsigned>(*v);
            any = true;
        } else {
            bad = true;
        }
    }
    if (!any && !bad)
        ctx.error(s.where(), "lvs_timeouts needs at least one of tcp, tcpfin and udp");
    if (any && !bad)
        g.lvs_timeouts = t;
}

// `lvs_sync_daemon IFACE [[inst] VRRP_INSTANCE] [id N] [maxlen N] [port N] [ttl N] [group ADDR]`
void lvs_sync_daemon(const Statement& s, ParseContext& ctx, GlobalDefs& g) {
    if (!has_args(s, 1, ctx))
        return;
    LvsSyncDaemon d;
    d.where = s.where();
    d.interface = s.arg(0).text;
    auto is_option = [](const std::string& w) {
        return w == "id" || w == "maxlen" || w == "port" || w == "ttl" || w == "group";
    };
    size_t i = 1;
    bool old_form = false; // the instance without 'inst'
    if (i < s.arg_count() && s.arg(i).text == "inst") {
        if (i + 1 >= s.arg_count())
            return ctx.error(s.arg(i).where, "'inst' needs a vrrp_instance name");
        d.vrrp_instance = s.arg(i + 1).text;
        i += 2;
    } else if (i < s.arg_count() && !is_option(s.arg(i).text)) {
        d.vrrp_instance = s.arg(i).text;
        ++i;
        old_form = true;
    }
    bool bad = false;
    // The old form `IFACE INSTANCE SYNCID`: keepalived still takes the bare sync id, and warns.
    if (old_form && i < s.arg_count() && !is_option(s.arg(i).text)) {
        const auto& w = s.arg(i++);
        if (auto n = to_int(w, 0, 255, ctx)) {
            d.sync_id = static_cast<unsigned>(*n);
            ctx.warning(w.where, "write the sync id as 'id " + w.text + "'");
        } else {
            bad = true;
        }
    }
    for (; i < s.arg_count(); ++i) {
        const auto& w = s.arg(i);
        if (!is_option(w.text)) {
            ctx.error(w.where, "unknown lvs_sync_daemon option '" + w.text +
                                   "' (id, maxlen, port, ttl, group; a sync id is written "
                                   "'id N')");
            bad = true;
            continue;
        }
        if (i + 1 >= s.arg_count()) {
            ctx.error(w.where, "'" + w.text + "' needs a value");
            bad = true;
            break;
        }
        const auto& v = s.arg(++i);
        auto number = [&](long lo, long hi, std::optional<unsigned>& into) {
            if (auto n = to_int(v, lo, hi, ctx))
                into = static_cast<unsigned>(*n);
            else
                bad = true;
        };
        if (w.text == "id")
            number(0, 255, d.sync_id);
        else if (w.text == "maxlen")
            number(1, 65507, d.max_len);
        else if (w.text == "port")
            number(1, 65535, d.port);
        else if (w.text == "ttl")
            number(1, 255, d.ttl);
        else if (auto a = to_ip(v, ctx, false)) {
            bool multicast = a->is_v4() ? (a->bytes[0] & 0xf0) == 0xe0 : a->bytes[0] == 0xff;
            if (multicast) {
                d.group = *a;
            } else {
                ctx.error(v.where, "lvs_sync_daemon group " + a->str() + " is not multicast");
                bad = true;
            }
        } else {
            bad = true;
        }
    }
    if (!bad)
        g.lvs_sync_daemon = d;
}

const KeywordTable<GlobalDefs> table = {
    {"lvs_timeouts", lvs_timeouts},
    {"lvs_sync_daemon", lvs_sync_daemon},
    {"router_id",
     [](const Statement& s, ParseContext& ctx, GlobalDefs& g) {
         if (auto v = string_arg(s, ctx))
             g.router_id = *v;
     }},
    {"notification_email",
     [](const Statement& s, ParseContext& ctx, GlobalDefs& g) {
         // One address per line in the block; a one-line list is accepted too.
         for (size_t i = 0; i < s.arg_count(); ++i)
             g.notification_email.push_back(s.arg(i).text);
         for (const auto& line : s.block)
             for (const auto& w : line.words)
                 g.notification_email.push_back(w.text);
         (void)ctx;
     }},
    {"notification_email_from",
     [](const Statement& s, ParseContext& ctx, GlobalDefs& g) {
         if (auto v = string_arg(s, ctx))
             g.notification_email_from = *v;
     }},
    {"smtp_server", smtp_server},
    {"smtp_helo_name",
     [](const Statement& s, ParseContext& ctx, GlobalDefs& g) {
         if (auto v = string_arg(s, ctx))
             g.smtp_helo_name = *v;
     }},
    {"smtp_connect_timeout",
     [](const Statement& s, ParseContext& ctx, GlobalDefs& g) {
         if (auto v = number_arg(s, 0.001, 86400, ctx))
             g.smtp_connect_timeout = *v;
     }},
    {"smtp_alert",
     [](const Statement& s, ParseContext& ctx, GlobalDefs& g) {
         no_args(s, ctx);
         g.smtp_alert = true;
     }},
    {"enable_script_security",
     [](const Statement& s, ParseContext& ctx, GlobalDefs& g) {
         no_args(s, ctx);
         g.enable_script_security = true;
     }},
    {"script_user",
     [](const Statement& s, ParseContext& ctx, GlobalDefs& g) {
         if (!has_args(s, 1, ctx))
             return;
         g.script_user = s.arg(0).text;
         if (s.arg_count() > 1)
             g.script_group = s.arg(1).text;
     }},
    {"vrrp_strict",
     [](const Statement& s, ParseContext& ctx, GlobalDefs& g) {
         no_args(s, ctx);
         g.vrrp_strict = true;
     }},
    {"vrrp_version",
     [](const Statement& s, ParseContext& ctx, GlobalDefs& g) {
         if (auto v = int_arg(s, 2, 3, ctx))
             g.vrrp_version = static_cast<int>(*v);
     }},
    {"default_interface",
     [](const Statement& s, ParseContext& ctx, GlobalDefs& g) {
         if (auto v = string_arg(s, ctx))
             g.default_interface = *v;
     }},
    {"vrrp_rt_priority",
     [](const Statement& s, ParseContext& ctx, GlobalDefs& g) {
         if (auto v = int_arg(s, 1, 99, ctx))
             g.vrrp_rt_priority = static_cast<int>(*v);
     }},
    {"vrrp_no_swap",
     [](const Statement& s, ParseContext& ctx, GlobalDefs& g) {
         no_args(s, ctx);
         g.vrrp_no_swap = true;
     }},
    {"agent_report_port",
     [](const Statement& s, ParseContext& ctx, GlobalDefs& g) {
         if (!has_args(s, 1, ctx))
             return;
         if (auto p = to_port(s.arg(0), ctx))
             g.agent_report_port = *p;
     }},
    {"agent_key_file",
     [](const Statement& s, ParseContext& ctx, GlobalDefs& g) {
         if (auto v = string_arg(s, ctx))
             g.agent_key_file = *v;
     }},
    {"lvs_dataplane",
     [](const Statement& s, ParseContext& ctx, GlobalDefs& g) {
         auto v = string_arg(s, ctx);
         if (!v)
             return;
         if (*v == "auto")
             g.lvs_dataplane = LvsDataplane::automatic;
         else if (*v == "ipvs")
             g.lvs_dataplane = LvsDataplane::ipvs;
         else if (*v == "nftables")
             g.lvs_dataplane = LvsDataplane::nftables;
         else
             ctx.error(s.arg(0).where, "lvs_dataplane is ipvs, nftables or auto, not '" + *v + "'");
     }},
    {"lvs_nft_slots",
     [](const Statement& s, ParseContext& ctx, GlobalDefs& g) {
         // Maglev needs a prime table size; more slots than 65521 only cost memory.
         if (!has_args(s, 1, ctx))
             return;
         auto n = to_int(s.arg(0), 2, 65521, ctx);
         if (!n)
             return;
         if (!math::is_prime(static_cast<uint32_t>(*n)))
             return ctx.error(s.arg(0).where, "lvs_nft_slots " + s.arg(0).text +
                                                  " is not a prime (e.g. 251, 509, 1021, 4093)");
         g.lvs_nft_slots = static_cast<unsigned>(*n);
     }},
    {"startup_script", [](const Statement& s, ParseContext& ctx,
                          GlobalDefs& g) { g.startup_script = script_arg(s, ctx); }},
    {"shutdown_script", [](const Statement& s, ParseContext& ctx,
                           GlobalDefs& g) { g.shutdown_script = script_arg(s, ctx); }},
};

} // namespace

void parse_global_defs(const Statement& s, ParseContext& ctx, GlobalDefs& g) {
    if (!needs_block(s, ctx))
        return;
    if (g.where.line == 0)
        g.where = s.where();
    // keepalived merges repeated global_defs blocks; so do we.
    parse_block(s.block, "global_defs", table, ctx, g);
}

} // namespace lvsd::director::config
