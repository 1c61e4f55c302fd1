#include "director/config/sections.h"

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

const KeywordTable<GlobalDefs> table = {
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
