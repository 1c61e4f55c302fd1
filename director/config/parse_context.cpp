#include "director/config/parse_context.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace lvsd::director::config {

using conf::Location;
using conf::Statement;
using conf::Word;

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
            diag = up;
        }
    }
    return row[b.size()];
}

void unhandled_keyword(const Statement& s, std::string_view section,
                       const std::vector<std::string_view>& ours, ParseContext& ctx) {
    const std::string& kw = s.keyword();
    if (keepalived_knows(section, kw)) {
        ctx.warning(s.where(), "'" + kw + "' is recognized but not supported yet");
        return;
    }
    std::vector<std::string_view> candidates = keepalived_keywords(section);
    candidates.insert(candidates.end(), ours.begin(), ours.end());
    std::string_view best;
    size_t best_d = std::max<size_t>(2, kw.size() / 4) + 1; // closer than this counts as a typo
    for (auto c : candidates) {
        size_t d = edit_distance(kw, c);
        if (d < best_d || (d == best_d && !best.empty() && c < best)) {
            best_d = d;
            best = c;
        }
    }
    std::string msg = "unknown keyword '" + kw + "'";
    if (!best.empty())
        msg += "; did you mean '" + std::string(best) + "'?";
    ctx.warning(s.where(), msg);
}

bool has_args(const Statement& s, size_t n, ParseContext& ctx) {
    if (s.arg_count() >= n)
        return true;
    ctx.error(s.after_keyword(),
              "'" + s.keyword() + "' needs " +
                  (n == 1 ? std::string("a value") : std::to_string(n) + " values"));
    return false;
}

std::optional<long> to_int(const Word& w, long min, long max, ParseContext& ctx) {
    long v = 0;
    const char* end = w.text.data() + w.text.size();
    auto [p, ec] = std::from_chars(w.text.data(), end, v);
    if (ec == std::errc::result_out_of_range ||
        (ec == std::errc() && p == end && (v < min || v > max))) {
        ctx.error(w.where, "'" + w.text + "' is out of range [" + std::to_string(min) + ", " +
                               std::to_string(max) + "]");
        return std::nullopt;
    }
    if (ec != std::errc() || p != end || w.text.empty()) {
        ctx.error(w.where, "'" + w.text + "' is not an integer");
        return std::nullopt;
    }
    return v;
}

std::optional<long> int_arg(const Statement& s, long min, long max, ParseContext& ctx) {
    if (!has_args(s, 1, ctx))
        return std::nullopt;
    return to_int(s.arg(0), min, max, ctx);
}

static std::string number_str(double v) {
    char buf[32];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, ec == std::errc() ? p : buf);
}

std::optional<double> to_number(const Word& w, double min, double max, ParseContext& ctx) {
    double v = 0;
    const char* end = w.text.data() + w.text.size();
    auto [p, ec] = std::from_chars(w.text.data(), end, v);
    if (ec != std::errc() || p != end || w.text.empty() || !std::isfinite(v)) {
        ctx.error(w.where, "'" + w.text + "' is not a number");
        return std::nullopt;
    }
    if (v < min || v > max) {
        ctx.error(w.where, "'" + w.text + "' is out of range [" + number_str(min) + ", " +
                               number_str(max) + "]");
        return std::nullopt;
    }
    return v;
}

std::optional<double> number_arg(const Statement& s, double min, double max, ParseContext& ctx) {
    if (!has_args(s, 1, ctx))
        return std::nullopt;
    return to_number(s.arg(0), min, max, ctx);
}

std::optional<std::string> string_arg(const Statement& s, ParseContext& ctx) {
    if (!has_args(s, 1, ctx))
        return std::nullopt;
    return s.arg(0).text;
}

std::optional<net::IpAddress> to_ip(const Word& w, ParseContext& ctx, bool allow_prefix) {
    if (!allow_prefix && w.text.find('/') != std::string::npos) {
        ctx.error(w.where, "'" + w.text + "': a prefix length is not allowed here");
        return std::nullopt;
    }
    auto a = net::IpAddress::parse(w.text);
    if (!a)
        ctx.error(w.where, "'" + w.text + "' is not an IP address");
    return a;
}

std::optional<net::IpAddress> ip_arg(const Statement& s, ParseContext& ctx) {
    if (!has_args(s, 1, ctx))
        return std::nullopt;
    return to_ip(s.arg(0), ctx, false);
}

std::optional<int> to_port(const Word& w, ParseContext& ctx) {
    auto v = to_int(w, 0, 65535, ctx);
    return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

std::optional<Script> script_arg(const Statement& s, ParseContext& ctx) {
    if (!has_args(s, 1, ctx))
        return std::nullopt;
    Script sc;
    sc.where = s.arg(0).where;
    sc.command = s.arg(0).text;
    if (s.arg_count() > 1)
        sc.user = s.arg(1).text;
    if (s.arg_count() > 2)
        sc.group = s.arg(2).text;
    if (s.arg_count() > 3)
        ctx.warning(s.arg(3).where, "extra words after '" + s.keyword() +
                                        "' are ignored; quote a command that has arguments");
    return sc;
}

void no_args(const Statement& s, ParseContext& ctx) {
    if (s.arg_count() > 0)
        ctx.warning(s.arg(0).where, "'" + s.keyword() + "' takes no value; ignored");
}

bool needs_block(const Statement& s, ParseContext& ctx) {
    if (s.has_block)
        return true;
    ctx.error(s.after_keyword(), "'" + s.keyword() + "' needs a '{ ... }' block");
    return false;
}

} // namespace lvsd::director::config
