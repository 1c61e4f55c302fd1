// The normalized model as JSON (lvs-director --dump-config): synonyms resolved, defaults filled,
// so that two spellings of one configuration dump the same.
#pragma once

#include "director/config/config.h"

#include <nlohmann/json.hpp>

#include <string>

namespace lvsd::director::config {

nlohmann::json to_json(const Config& c);

// The text of to_json. Config files need not be UTF-8; invalid bytes become U+FFFD rather than
// making the dump fail.
std::string to_json_text(const Config& c, int indent = 2);

} // namespace lvsd::director::config
