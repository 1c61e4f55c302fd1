// Statement tree → Config. Problems go to the Diagnostics; the Config holds whatever could be read,
// so one run reports every error rather than the first.
#pragma once

#include "conf/diagnostic.h"
#include "conf/statement.h"
#include "director/config/config.h"

#include <filesystem>
#include <string>
#include <vector>

namespace lvsd::director::config {

Config parse_config(const std::vector<conf::Statement>& top, conf::Diagnostics& diags);

// Reads, parses and checks a file: the whole pipeline as lvs-director runs it. Throws
// conf::ConfigError only when the file cannot be read or its braces do not balance.
Config load_config(const std::filesystem::path& file, const std::string& config_id,
                   conf::Diagnostics& diags);

} // namespace lvsd::director::config
