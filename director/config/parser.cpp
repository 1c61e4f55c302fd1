#include "director/config/parser.h"

#include "conf/reader.h"
#include "director/config/checks.h"
#include "director/config/sections.h"
#include "director/config/vrrp_address_parse.h"

namespace lvsd::director::config {

using conf::Statement;

namespace {

const KeywordTable<Config> top_table = {
    {"global_defs", [](const Statement& s, ParseContext& ctx,
                       Config& c) { parse_global_defs(s, ctx, c.global_defs); }},
    {"vrrp_script", parse_vrrp_script},
    {"vrrp_sync_group", parse_vrrp_sync_group},
    {"vrrp_instance", parse_vrrp_instance},
    {"virtual_server_group", parse_virtual_server_group},
    {"virtual_server", parse_virtual_server},
    {"static_rules", [](const Statement& s, ParseContext& ctx, Config&) { check_rules(s, ctx); }},
};

} // namespace

Config parse_config(const std::vector<Statement>& top, conf::Diagnostics& diags) {
    ParseContext ctx{diags};
    Config c;
    parse_block(top, "<top>", top_table, ctx, c);
    check_config(c, diags);
    return c;
}

Config load_config(const std::filesystem::path& file, const std::string& config_id,
                   conf::Diagnostics& diags) {
    conf::Reader reader(diags);
    reader.set_config_id(config_id);
    conf::StatementBuilder builder; // streaming: never all tokens and all statements at once
    reader.read_file(file, builder);
    return parse_config(builder.finish(), diags);
}

} // namespace lvsd::director::config
