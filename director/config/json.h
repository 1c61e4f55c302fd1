// The normalized model as JSON (lvs-director --dump-config): synonyms resolved, defaults filled,
// so that two spellings of one configuration dump the same.
#pragma once

#include "director/config/config.h"

#include <nlohmann/json.hpp>

namespace lvsd::director::config {

nlohmann::json to_json(const Config& c);

} // namespace lvsd::director::config
