// Parsers for one line of virtual_ipaddress / virtual_routes; shared with the static_* blocks.
#pragma once

#include "conf/statement.h"
#include "director/config/parse_context.h"
#include "director/config/virtual_address.h"
#include "director/config/virtual_route.h"

#include <optional>

namespace lvsd::director::config {

std::optional<VirtualAddress> parse_virtual_address(const conf::Statement& line, ParseContext& ctx);
std::optional<VirtualRoute> parse_virtual_route(const conf::Statement& line, ParseContext& ctx);

} // namespace lvsd::director::config

namespace lvsd::director::config {

// virtual_rules / static_rules are not modelled yet, but a rule with a broken address is an error
// keepalived reports, so their `from` / `to` addresses are checked.
void check_rules(const conf::Statement& s, ParseContext& ctx);

} // namespace lvsd::director::config
