// Helpers shared by the section parsers: keyword tables, value conversion with messages at the
// word that is wrong, and the handling of keywords we do not model.
#pragma once

#include "conf/diagnostic.h"
#include "conf/statement.h"
#include "director/config/script.h"
#include "net/ip_address.h"

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lvsd::director::config {

struct ParseContext {
    conf::Diagnostics& diags;
    void error(const conf::Location& l, std::string m) { diags.error(l, std::move(m)); }
    void warning(const conf::Location& l, std::string m) { diags.warning(l, std::move(m)); }
    void note(const conf::Location& l, std::string m) { diags.note(l, std::move(m)); }
};

template <class T> using Handler = void (*)(const conf::Statement&, ParseContext&, T&);
template <class T> using KeywordTable = std::unordered_map<std::string_view, Handler<T>>;

// The keyword is neither in `table` nor known to keepalived in `section` (a path such as
// "virtual_server/real_server"): warns, with the nearest known keyword when one is close.
void unhandled_keyword(const conf::Statement& s, std::string_view section,
                       const std::vector<std::string_view>& ours, ParseContext& ctx);

// Runs each statement of `block` through `table`; everything else goes to unhandled_keyword.
template <class T>
void parse_block(const std::vector<conf::Statement>& block, std::string_view section,
                 const KeywordTable<T>& table, ParseContext& ctx, T& target) {
    for (const auto& s : block) {
        auto it = table.find(s.keyword());
        if (it != table.end()) {
            it->second(s, ctx, target);
            continue;
        }
        std::vector<std::string_view> ours;
        ours.reserve(table.size());
        for (const auto& [k, v] : table)
            ours.push_back(k);
        unhandled_keyword(s, section, ours, ctx);
    }
}

// Each returns nullopt after reporting an error at the offending word (or after the keyword when
// the value is missing). `what` names the value in messages.
bool has_args(const conf::Statement& s, size_t n, ParseContext& ctx);
std::optional<long> to_int(const conf::Word& w, long min, long max, ParseContext& ctx);
std::optional<long> int_arg(const conf::Statement& s, long min, long max, ParseContext& ctx);
std::optional<double> to_number(const conf::Word& w, double min, double max, ParseContext& ctx);
std::optional<double> number_arg(const conf::Statement& s, double min, double max,
                                 ParseContext& ctx);
std::optional<std::string> string_arg(const conf::Statement& s, ParseContext& ctx);
std::optional<net::IpAddress> to_ip(const conf::Word& w, ParseContext& ctx, bool allow_prefix);
std::optional<net::IpAddress> ip_arg(const conf::Statement& s, ParseContext& ctx);
std::optional<int> to_port(const conf::Word& w, ParseContext& ctx);
// `script [user [group]]`: a quoted command keeps its spaces; unquoted words after the first
// are the user and group, as keepalived reads them.
std::optional<Script> script_arg(const conf::Statement& s, ParseContext& ctx);
// A flag keyword takes no value; keepalived ignores any, so we only warn.
void no_args(const conf::Statement& s, ParseContext& ctx);
// A block keyword without `{ ... }` (or the other way round) is an error.
bool needs_block(const conf::Statement& s, ParseContext& ctx);

// Whether keepalived knows the keyword in the section, and the keywords it knows there.
bool keepalived_knows(std::string_view section, std::string_view keyword);
std::vector<std::string_view> keepalived_keywords(std::string_view section);

// Levenshtein distance, for "did you mean" suggestions.
size_t edit_distance(std::string_view a, std::string_view b);

} // namespace lvsd::director::config
