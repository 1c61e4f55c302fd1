// vrrp_instance, vrrp_sync_group and vrrp_script.
#include "director/config/sections.h"
#include "director/config/vrrp_address_parse.h"

#include <strings.h>

namespace lvsd::director::config {

using conf::Statement;

namespace {

std::optional<bool> bool_word(const conf::Word& w, ParseContext& ctx) {
    for (const char* t : {"true", "yes", "on"})
        if (strcasecmp(w.text.c_str(), t) == 0)
            return true;
    for (const char* f : {"false", "no", "off"})
        if (strcasecmp(w.text.c_str(), f) == 0)
            return false;
    ctx.error(w.where, "'" + w.text + "' is not a boolean (true/false, yes/no, on/off)");
    return std::nullopt;
}

// `smtp_alert [BOOL]`: bare means on.
std::optional<bool> optional_bool(const Statement& s, ParseContext& ctx) {
    if (s.arg_count() == 0)
        return true;
    return bool_word(s.arg(0), ctx);
}

void set_script(std::optional<Script>& slot, const Statement& s, ParseContext& ctx) {
    if (auto sc = script_arg(s, ctx))
        slot = std::move(sc);
}

std::vector<VirtualAddress> parse_addresses(const Statement& s, ParseContext& ctx) {
    std::vector<VirtualAddress> out;
    if (!needs_block(s, ctx))
        return out;
    for (const auto& line : s.block)
        if (auto v = parse_virtual_address(line, ctx))
            out.push_back(std::move(*v));
    return out;
}

// ---- vrrp_instance ----------------------------------------------------------------------------

void auth_block(const Statement& s, ParseContext& ctx, VrrpInstance& vi) {
    if (!needs_block(s, ctx))
        return;
    Authentication a;
    a.where = s.where();
    bool have_type = false;
    for (const auto& kv : s.block) {
        if (kv.keyword() == "auth_type") {
            if (!has_args(kv, 1, ctx))
                continue;
            const auto& t = kv.arg(0).text;
            if (strcasecmp(t.c_str(), "PASS") == 0)
                a.type = AuthType::pass;
            else if (strcasecmp(t.c_str(), "AH") == 0)
                a.type = AuthType::ah;
            else {
                ctx.error(kv.arg(0).where, "unknown auth_type '" + t + "' (PASS or AH)");
                continue;
            }
            have_type = true;
        } else if (kv.keyword() == "auth_pass") {
            if (!has_args(kv, 1, ctx))
                continue;
            a.pass = kv.arg(0).text;
            if (a.pass.size() > 8) {
                ctx.warning(kv.arg(0).where,
                            "auth_pass is longer than 8 characters; truncated to '" +
                                a.pass.substr(0, 8) + "'");
                a.pass.resize(8);
            }
        } else {
            unhandled_keyword(kv, "vrrp_instance/authentication", {}, ctx);
        }
    }
    if (!have_type) {
        ctx.error(s.where(), "authentication needs an auth_type");
        return;
    }
    vi.authentication = a;
}

const KeywordTable<VrrpInstance> instance_table = {
    {"state",
     [](const Statement& s, ParseContext& ctx, VrrpInstance& vi) {
         if (!has_args(s, 1, ctx))
             return;
         const auto& w = s.arg(0);
         if (strcasecmp(w.text.c_str(), "MASTER") == 0)
             vi.state = VrrpState::master;
         else if (strcasecmp(w.text.c_str(), "BACKUP") == 0)
             vi.state = VrrpState::backup;
         else
             return ctx.error(w.where, "unknown state '" + w.text + "' (MASTER or BACKUP)");
         if (w.text != "MASTER" && w.text != "BACKUP")
             ctx.warning(w.where, "state '" + w.text +
                                      "' read as upper case; keepalived 2.2 would use BACKUP");
     }},
    {"interface",
     [](const Statement& s, ParseContext& ctx, VrrpInstance& vi) {
         if (!has_args(s, 1, ctx))
             return;
         vi.interface = s.arg(0).text;
         vi.interface_where = s.arg(0).where;
     }},
    {"virtual_router_id",
     [](const Statement& s, ParseContext& ctx, VrrpInstance& vi) {
         if (auto v = int_arg(s, 1, 255, ctx))
             vi.virtual_router_id = static_cast<int>(*v);
     }},
    {"priority",
     [](const Statement& s, ParseContext& ctx, VrrpInstance& vi) {
         if (auto v = int_arg(s, 1, 255, ctx))
             vi.priority = static_cast<int>(*v);
     }},
    {"advert_int",
     [](const Statement& s, ParseContext& ctx, VrrpInstance& vi) {
         // v3 counts centiseconds, so keep two decimals; the version check comes later.
         if (auto v = number_arg(s, 0.01, 255, ctx))
             vi.advert_int = static_cast<long>(*v * 100 + 0.5) / 100.0;
     }},
    {"version",
     [](const Statement& s, ParseContext& ctx, VrrpInstance& vi) {
         if (auto v = int_arg(s, 2, 3, ctx))
             vi.version = static_cast<int>(*v);
     }},
    {"authentication", auth_block},
    {"virtual_ipaddress",
     [](const Statement& s, ParseContext& ctx, VrrpInstance& vi) {
         auto v = parse_addresses(s, ctx);
         vi.virtual_ipaddress.insert(vi.virtual_ipaddress.end(), v.begin(), v.end());
     }},
    {"virtual_ipaddress_excluded",
     [](const Statement& s, ParseContext& ctx, VrrpInstance& vi) {
         auto v = parse_addresses(s, ctx);
         vi.virtual_ipaddress_excluded.insert(vi.virtual_ipaddress_excluded.end(), v.begin(),
                                              v.end());
     }},
    {"virtual_routes",
     [](const Statement& s, ParseContext& ctx, VrrpInstance& vi) {
         if (!needs_block(s, ctx))
             return;
         for (const auto& line : s.block)
             if (auto r = parse_virtual_route(line, ctx))
                 vi.virtual_routes.push_back(std::move(*r));
     }},
    {"virtual_rules",
     [](const Statement& s, ParseContext& ctx, VrrpInstance&) { check_rules(s, ctx); }},
    {"track_interface",
     [](const Statement& s, ParseContext& ctx, VrrpInstance& vi) {
         auto t = parse_tracked(s, ctx);
         vi.track_interface.insert(vi.track_interface.end(), t.begin(), t.end());
     }},
    {"track_script",
     [](const Statement& s, ParseContext& ctx, VrrpInstance& vi) {
         auto t = parse_tracked(s, ctx);
         vi.track_script.insert(vi.track_script.end(), t.begin(), t.end());
     }},
    {"unicast_src_ip",
     [](const Statement& s, ParseContext& ctx, VrrpInstance& vi) {
         if (auto a = ip_arg(s, ctx))
             vi.unicast_src_ip = a;
     }},
    {"mcast_src_ip",
     [](const Statement& s, ParseContext& ctx, VrrpInstance& vi) {
         if (auto a = ip_arg(s, ctx))
             vi.mcast_src_ip = a;
     }},
    {"unicast_peer",
     [](const Statement& s, ParseContext& ctx, VrrpInstance& vi) {
         if (!needs_block(s, ctx))
             return;
         for (const auto& line : s.block) {
             // ADDR [min_ttl N] [max_ttl N]: the TTL limits are not modelled yet.
             if (auto a = to_ip(line.words[0], ctx, false))
                 vi.unicast_peer.push_back({line.where(), *a});
             if (line.words.size() > 1 && line.words[1].text != "min_ttl" &&
                 line.words[1].text != "max_ttl")
                 ctx.warning(line.words[1].where,
                             "unknown option '" + line.words[1].text + "' for a unicast peer");
         }
     }},
    {"notify", [](const Statement& s, ParseContext& ctx,
                  VrrpInstance& vi) { set_script(vi.notify.any, s, ctx); }},
    {"notify_master", [](const Statement& s, ParseContext& ctx,
                         VrrpInstance& vi) { set_script(vi.notify.master, s, ctx); }},
    {"notify_backup", [](const Statement& s, ParseContext& ctx,
                         VrrpInstance& vi) { set_script(vi.notify.backup, s, ctx); }},
    {"notify_fault", [](const Statement& s, ParseContext& ctx,
                        VrrpInstance& vi) { set_script(vi.notify.fault, s, ctx); }},
    {"notify_stop", [](const Statement& s, ParseContext& ctx,
                       VrrpInstance& vi) { set_script(vi.notify.stop, s, ctx); }},
    {"smtp_alert", [](const Statement& s, ParseContext& ctx,
                      VrrpInstance& vi) { vi.smtp_alert = optional_bool(s, ctx); }},
    {"preempt",
     [](const Statement& s, ParseContext& ctx, VrrpInstance& vi) {
         no_args(s, ctx);
         vi.preempt = true;
     }},
    {"nopreempt",
     [](const Statement& s, ParseContext& ctx, VrrpInstance& vi) {
         no_args(s, ctx);
         vi.preempt = false;
     }},
    {"preempt_delay",
     [](const Statement& s, ParseContext& ctx, VrrpInstance& vi) {
         if (auto v = number_arg(s, 0, 1000, ctx))
             vi.preempt_delay = *v;
     }},
    {"garp_master_delay",
     [](const Statement& s, ParseContext& ctx, VrrpInstance& vi) {
         if (auto v = number_arg(s, 0, 86400, ctx))
             vi.garp_master_delay = *v;
     }},
    {"garp_master_repeat",
     [](const Statement& s, ParseContext& ctx, VrrpInstance& vi) {
         if (auto v = int_arg(s, 0, 10000, ctx))
             vi.garp_master_repeat = static_cast<int>(*v);
     }},
    {"garp_master_refresh",
     [](const Statement& s, ParseContext& ctx, VrrpInstance& vi) {
         if (auto v = number_arg(s, 0, 86400, ctx))
             vi.garp_master_refresh = *v;
     }},
    {"garp_master_refresh_repeat",
     [](const Statement& s, ParseContext& ctx, VrrpInstance& vi) {
         if (auto v = int_arg(s, 0, 10000, ctx))
             vi.garp_master_refresh_repeat = static_cast<int>(*v);
     }},
};

// ---- vrrp_sync_group --------------------------------------------------------------------------

const KeywordTable<VrrpSyncGroup> sync_table = {
    {"group",
     [](const Statement& s, ParseContext& ctx, VrrpSyncGroup& g) {
         if (!needs_block(s, ctx))
             return;
         for (const auto& line : s.block)
             for (const auto& w : line.words)
                 g.group.push_back({w.where, w.text});
     }},
    {"track_interface",
     [](const Statement& s, ParseContext& ctx, VrrpSyncGroup& g) {
         auto t = parse_tracked(s, ctx);
         g.track_interface.insert(g.track_interface.end(), t.begin(), t.end());
     }},
    {"track_script",
     [](const Statement& s, ParseContext& ctx, VrrpSyncGroup& g) {
         auto t = parse_tracked(s, ctx);
         g.track_script.insert(g.track_script.end(), t.begin(), t.end());
     }},
    {"notify", [](const Statement& s, ParseContext& ctx,
                  VrrpSyncGroup& g) { set_script(g.notify.any, s, ctx); }},
    {"notify_master", [](const Statement& s, ParseContext& ctx,
                         VrrpSyncGroup& g) { set_script(g.notify.master, s, ctx); }},
    {"notify_backup", [](const Statement& s, ParseContext& ctx,
                         VrrpSyncGroup& g) { set_script(g.notify.backup, s, ctx); }},
    {"notify_fault", [](const Statement& s, ParseContext& ctx,
                        VrrpSyncGroup& g) { set_script(g.notify.fault, s, ctx); }},
    {"notify_stop", [](const Statement& s, ParseContext& ctx,
                       VrrpSyncGroup& g) { set_script(g.notify.stop, s, ctx); }},
    {"smtp_alert", [](const Statement& s, ParseContext& ctx,
                      VrrpSyncGroup& g) { g.smtp_alert = optional_bool(s, ctx); }},
};

// ---- vrrp_script ------------------------------------------------------------------------------

const KeywordTable<VrrpScript> script_table = {
    {"script",
     [](const Statement& s, ParseContext& ctx, VrrpScript& v) {
         if (auto sc = script_arg(s, ctx))
             v.script.where = sc->where, v.script.command = sc->command;
     }},
    {"interval",
     [](const Statement& s, ParseContext& ctx, VrrpScript& v) {
         if (auto n = number_arg(s, 0.001, 86400, ctx))
             v.interval = *n;
     }},
    {"timeout",
     [](const Statement& s, ParseContext& ctx, VrrpScript& v) {
         if (auto n = number_arg(s, 0.001, 86400, ctx))
             v.timeout = *n;
     }},
    {"weight",
     [](const Statement& s, ParseContext& ctx, VrrpScript& v) {
         if (auto n = int_arg(s, -253, 253, ctx))
             v.weight = static_cast<int>(*n);
         if (s.arg_count() > 1) {
             if (s.arg(1).text == "reverse")
                 v.reverse = true;
             else if (s.arg(1).text != "noreverse")
                 ctx.error(s.arg(1).where, "expected 'reverse' after the weight");
         }
     }},
    {"rise",
     [](const Statement& s, ParseContext& ctx, VrrpScript& v) {
         if (auto n = int_arg(s, 1, 1000000, ctx))
             v.rise = static_cast<int>(*n);
     }},
    {"fall",
     [](const Statement& s, ParseContext& ctx, VrrpScript& v) {
         if (auto n = int_arg(s, 1, 1000000, ctx))
             v.fall = static_cast<int>(*n);
     }},
    {"user",
     [](const Statement& s, ParseContext& ctx, VrrpScript& v) {
         if (!has_args(s, 1, ctx))
             return;
         v.script.user = s.arg(0).text;
         if (s.arg_count() > 1)
             v.script.group = s.arg(1).text;
     }},
    {"init_fail",
     [](const Statement& s, ParseContext& ctx, VrrpScript& v) {
         no_args(s, ctx);
         v.init_fail = true;
     }},
};

std::optional<std::string> block_name(const Statement& s, ParseContext& ctx) {
    if (!has_args(s, 1, ctx) || !needs_block(s, ctx))
        return std::nullopt;
    if (s.arg_count() > 1)
        ctx.warning(s.arg(1).where,
                    "extra words after the name of '" + s.keyword() + "' are ignored");
    return s.arg(0).text;
}

} // namespace

std::vector<Tracked> parse_tracked(const Statement& s, ParseContext& ctx) {
    std::vector<Tracked> out;
    if (!needs_block(s, ctx))
        return out;
    for (const auto& line : s.block) {
        Tracked t;
        t.where = line.where();
        t.name = line.keyword();
        bool ok = true;
        for (size_t i = 1; i < line.words.size(); ++i) {
            const auto& w = line.words[i];
            if (w.text == "weight" && i + 1 < line.words.size()) {
                auto v = to_int(line.words[++i], -253, 253, ctx);
                ok = ok && v.has_value();
                t.weight = v.value_or(0);
                t.weight_set = true;
            } else if (w.text == "reverse") {
                t.reverse = true;
            } else if (w.text == "noreverse") {
                t.reverse = false;
            } else {
                ctx.error(w.where, "unexpected '" + w.text + "' (expected weight N [reverse])");
                ok = false;
            }
        }
        if (ok)
            out.push_back(std::move(t));
    }
    return out;
}

void parse_vrrp_instance(const Statement& s, ParseContext& ctx, Config& c) {
    auto name = block_name(s, ctx);
    if (!name)
        return;
    VrrpInstance vi;
    vi.where = s.where();
    vi.name = *name;
    vi.version = 0; // resolved against global_defs by the checks
    parse_block(s.block, "vrrp_instance", instance_table, ctx, vi);
    c.vrrp_instances.push_back(std::move(vi));
}

void parse_vrrp_sync_group(const Statement& s, ParseContext& ctx, Config& c) {
    auto name = block_name(s, ctx);
    if (!name)
        return;
    VrrpSyncGroup g;
    g.where = s.where();
    g.name = *name;
    parse_block(s.block, "vrrp_sync_group", sync_table, ctx, g);
    c.vrrp_sync_groups.push_back(std::move(g));
}

void parse_vrrp_script(const Statement& s, ParseContext& ctx, Config& c) {
    auto name = block_name(s, ctx);
    if (!name)
        return;
    VrrpScript v;
    v.where = s.where();
    v.name = *name;
    parse_block(s.block, "vrrp_script", script_table, ctx, v);
    c.vrrp_scripts.push_back(std::move(v));
}

} // namespace lvsd::director::config
