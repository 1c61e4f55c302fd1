// One parser per top-level section; parser.cpp dispatches to them.
#pragma once

#include "conf/statement.h"
#include "director/config/config.h"
#include "director/config/parse_context.h"

namespace lvsd::director::config {

void parse_global_defs(const conf::Statement& s, ParseContext& ctx, GlobalDefs& g);
void parse_vrrp_script(const conf::Statement& s, ParseContext& ctx, Config& c);
void parse_vrrp_sync_group(const conf::Statement& s, ParseContext& ctx, Config& c);
void parse_vrrp_instance(const conf::Statement& s, ParseContext& ctx, Config& c);
void parse_virtual_server_group(const conf::Statement& s, ParseContext& ctx, Config& c);
void parse_virtual_server(const conf::Statement& s, ParseContext& ctx, Config& c);
void parse_real_server(const conf::Statement& s, ParseContext& ctx, VirtualServer& vs);
void parse_checker(const conf::Statement& s, ParseContext& ctx, RealServer& rs);

// Shared by vrrp_instance and vrrp_sync_group.
std::vector<Tracked> parse_tracked(const conf::Statement& s, ParseContext& ctx);

} // namespace lvsd::director::config
