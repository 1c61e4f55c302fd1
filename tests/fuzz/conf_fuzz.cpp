// libFuzzer target: keepalived.conf text through the whole configuration pipeline (reader,
// statement tree, parser, checks, JSON dump). Only ConfigError may escape the reader; anything else
// (a crash, a sanitizer report, an uncaught exception) is a bug.
#include "conf/reader.h"
#include "conf/statement.h"
#include "director/config/json.h"
#include "director/config/parser.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    // `include` would read (and glob) the fuzzing host's files: slow and not what is tested here.
    if (text.find("include") != std::string_view::npos)
        return 0;
    lvsd::conf::Diagnostics diags;
    try {
        lvsd::conf::Reader reader(diags);
        reader.set_config_id("lb1");
        reader.set_expansion_limit(2000); // keeps each input fast; the limit itself is tested
        auto statements = lvsd::conf::build_statements(reader.read_string(text, "fuzz.conf"));
        auto config = lvsd::director::config::parse_config(statements, diags);
        (void)lvsd::director::config::to_json_text(config);
    } catch (const lvsd::conf::ConfigError&) {
    }
    for (const auto& d : diags.all())
        (void)d.str();
    return 0;
}
