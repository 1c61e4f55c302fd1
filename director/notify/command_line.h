// A script's command as written in keepalived.conf → argv. No shell runs it, so this is the only
// parsing: whitespace separates words, '...' and "..." group them, a backslash escapes one
// character outside single quotes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lvsd::director::notify {

// nullopt when a quote is left open or the command is empty: the script cannot be run as written.
std::optional<std::vector<std::string>> split_command(std::string_view command);

} // namespace lvsd::director::notify
