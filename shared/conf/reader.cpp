#include "conf/reader.h"

#include <cctype>
#include <fstream>
#include <glob.h>
#include <optional>
#include <sstream>

namespace lvsd::conf {

namespace fs = std::filesystem;

// Deep enough for any real layout, shallow enough to stop an include cycle quickly.
static constexpr int max_include_depth = 32;
// Far beyond any real line (keepalived's own buffer is smaller), far below memory trouble.
static constexpr size_t max_line_length = 1 << 20;

static bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

namespace {
// The file-name word of an include, kept while its tokens are taken off the output.
struct IncludeTarget {
    std::string text;
    Location where;
};
} // namespace

static std::string_view trim_left(std::string_view s, size_t& skipped) {
    skipped = 0;
    while (skipped < s.size() && (s[skipped] == ' ' || s[skipped] == '\t'))
        ++skipped;
    return s.substr(skipped);
}

std::vector<Token> Reader::read_file(const fs::path& path) {
    std::vector<Token> out;
    read_into(path, nullptr, 0, out);
    return out;
}

void Reader::read_file(const fs::path& path, StatementBuilder& sink) {
    std::vector<Token> line; // one line's tokens at a time
    sink_ = &sink;
    try {
        read_into(path, nullptr, 0, line);
    } catch (...) {
        sink_ = nullptr;
        throw;
    }
    sink_ = nullptr;
}

std::vector<Token> Reader::read_string(std::string_view text, const std::string& name) {
    std::vector<Token> out;
    read_text(text, std::make_shared<const std::string>(name), fs::current_path(), 0, out);
    return out;
}

void Reader::read_into(const fs::path& path, const Location* included_from, int depth,
                       std::vector<Token>& out) {
    Location here = included_from ? *included_from : Location{};
    if (depth > max_include_depth)
        throw ConfigError({here, Severity::error,
                           "includes nested deeper than " + std::to_string(max_include_depth) +
                               " (an include cycle?)"});
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::string why = std::error_code(errno, std::generic_category()).message();
        if (!included_from)
            here.file = std::make_shared<const std::string>(path.string());
        std::string what =
            included_from ? "cannot read '" + path.string() + "': " : "cannot read: ";
        throw ConfigError({here, Severity::error, what + why});
    }
    std::stringstream buf;
    buf << in.rdbuf();
    files_.push_back(path);
    read_text(buf.str(), std::make_shared<const std::string>(path.string()), path.parent_path(),
              depth, out);
}

void Reader::read_text(std::string_view text, const std::shared_ptr<const std::string>& name,
                       const fs::path& dir, int depth, std::vector<Token>& out) {
    // Most words are short: about one token per 6 bytes. Reserving up front (geometrically, as
    // includes add text) saves copying millions of tokens on growth in large configurations.
    size_t want = out.size() + text.size() / 6;
    if (!sink_ && want > out.capacity())
        out.reserve(std::max(want, 2 * out.capacity()));
    int line_no = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t nl = text.find('\n', pos);
        size_t end = nl == std::string_view::npos ? text.size() : nl;
        ++line_no;
        process_line(text.substr(pos, end - pos), Location{name, line_no, 1}, dir, depth, out);
        if (nl == std::string_view::npos)
            break;
        pos = nl + 1;
    }
}

// `$NAME` and `${NAME}`; an unknown name is left as written, with a warning, as text that
// happens to contain a dollar sign (a script argument) must survive.
std::string Reader::substitute(std::string_view line, const Location& start) const {
    std::string out;
    bool in_quote = false;
    for (size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (c == '"')
            in_quote = !in_quote;
        if ((c == '#' || c == '!') && !in_quote &&
            (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
            out.append(line.substr(i));
            break;
        }
        if (c != '$' || i + 1 >= line.size()) {
            out += c;
            continue;
        }
        size_t name_begin = i + 1, name_end;
        bool braced = line[name_begin] == '{';
        if (braced) {
            name_end = line.find('}', name_begin);
            if (name_end == std::string_view::npos) {
                out += c;
                continue;
            }
            ++name_begin;
        } else {
            name_end = name_begin;
            while (name_end < line.size() && is_name_char(line[name_end]))
                ++name_end;
        }
        std::string name(line.substr(name_begin, name_end - name_begin));
        auto it = vars_.find(name);
        if (name.empty() || it == vars_.end()) {
            if (!name.empty()) {
                Location l = start;
                l.col += static_cast<int>(i);
                const_cast<Diagnostics&>(diags_).warning(l, "'$" + name + "' is not defined");
            }
            out += c;
            continue;
        }
        out += it->second;
        // Definitions can double in size per line; stop before memory does.
        if (out.size() > max_line_length)
            throw ConfigError({start, Severity::error,
                               "line longer than " + std::to_string(max_line_length) +
                                   " characters after substitution"});
        i = braced ? name_end : name_end - 1;
    }
    return out;
}

void Reader::process_line(std::string_view raw, const Location& start, const fs::path& dir,
                          int depth, std::vector<Token>& out) {
    size_t skipped;
    std::string_view line = trim_left(raw, skipped);
    Location at = start;
    at.col += static_cast<int>(skipped);

    // @id / @^id: the line belongs to one node of a cluster sharing the file.
    if (!line.empty() && line[0] == '@') {
        bool negate = line.size() > 1 && line[1] == '^';
        size_t b = negate ? 2 : 1, e = b;
        while (e < line.size() && line[e] != ' ' && line[e] != '\t')
            ++e;
        bool match = std::string_view(line.substr(b, e - b)) == config_id_ && !config_id_.empty();
        if (match == negate)
            return;
        size_t more;
        std::string_view rest = trim_left(line.substr(e), more);
        at.col += static_cast<int>(e + more);
        process_line(std::string(rest), at, dir, depth, out);
        return;
    }

    // $NAME=value defines; the value runs to the end of the line.
    if (!line.empty() && line[0] == '$') {
        size_t n = 1;
        while (n < line.size() && is_name_char(line[n]))
            ++n;
        size_t eq = n;
        while (eq < line.size() && (line[eq] == ' ' || line[eq] == '\t'))
            ++eq;
        if (n > 1 && eq < line.size() && line[eq] == '=') {
            size_t vskip;
            std::string_view value = trim_left(line.substr(eq + 1), vskip);
            while (!value.empty() &&
                   (value.back() == ' ' || value.back() == '\t' || value.back() == '\r'))
                value.remove_suffix(1);
            vars_[std::string(line.substr(1, n - 1))] = substitute(value, at);
            return;
        }
    }

    // ~SEQ(var, start, [step,] end) rest-of-line: the rest once per value, with $var set.
    if (line.rfind("~SEQ(", 0) == 0) {
        size_t close = line.find(')');
        if (close == std::string_view::npos)
            throw ConfigError({at, Severity::error, "~SEQ needs a closing ')'"});
        std::vector<std::string> parts;
        std::string cur;
        for (char c : line.substr(5, close - 5)) {
            if (c == ',') {
                parts.push_back(cur);
                cur.clear();
            } else if (c != ' ' && c != '\t') {
                cur += c;
            }
        }
        parts.push_back(cur);
        if (parts.size() != 3 && parts.size() != 4)
            throw ConfigError(
                {at, Severity::error, "~SEQ takes (var, start, end) or (var, start, step, end)"});
        long from, step = 1, to;
        try {
            from = std::stol(parts[1]);
            if (parts.size() == 4)
                step = std::stol(parts[2]);
            to = std::stol(parts.back());
        } catch (const std::exception&) {
            throw ConfigError({at, Severity::error, "~SEQ bounds must be integers"});
        }
        // 128-bit: the span of two longs does not fit in a long, and the loop must not overflow.
        __int128 steps = step == 0 ? -1 : (static_cast<__int128>(to) - from) / step;
        if (step == 0 || steps > 1000000)
            throw ConfigError(
                {at, Severity::error,
                 "~SEQ step must be non-zero and the sequence under a million lines"});
        std::string rest(line.substr(close + 1));
        Location rest_at = at;
        rest_at.col += static_cast<int>(close + 1);
        auto saved =
            vars_.find(parts[0]) != vars_.end() ? std::optional(vars_[parts[0]]) : std::nullopt;
        for (__int128 k = 0; k <= steps; ++k) {
            // Nested ~SEQ multiply; the budget bounds the whole file, not one sequence.
            if (++expanded_lines_ > expansion_limit_)
                throw ConfigError({at, Severity::error,
                                   "~SEQ expands to more than " + std::to_string(expansion_limit_) +
                                       " lines in total"});
            vars_[parts[0]] = std::to_string(static_cast<long>(from + k * step));
            process_line(rest, rest_at, dir, depth, out);
        }
        if (saved)
            vars_[parts[0]] = *saved;
        else
            vars_.erase(parts[0]);
        return;
    }

    // Tokens go straight to `out`; an include line is taken back off.
    size_t first = out.size();
    if (line.find('$') == std::string_view::npos) {
        tokenize_line(line, at, out);
    } else {
        std::string expanded = substitute(line, at);
        tokenize_line(expanded, at, out);
    }
    Token* words = out.data() + first;
    size_t count = out.size() - first;

    if (count > 0 && words[0].kind == Token::Kind::word && words[0].text == "include" &&
        !words[0].quoted) {
        if (count != 2 || words[1].kind != Token::Kind::word)
            throw ConfigError(
                {words[0].where, Severity::error, "include takes one file name or pattern"});
        IncludeTarget target{words[1].text, words[1].where};
        out.resize(first);
        fs::path pattern(target.text);
        if (pattern.is_relative())
            pattern = dir / pattern;
        glob_t g{};
        int rc = glob(pattern.c_str(), GLOB_BRACE, nullptr, &g);
        if (rc == GLOB_NOMATCH) {
            diags_.warning(target.where, "include '" + target.text + "' matches no file");
        } else if (rc != 0) {
            globfree(&g);
            throw ConfigError(
                {target.where, Severity::error, "cannot expand include '" + target.text + "'"});
        }
        std::vector<std::string> matches(g.gl_pathv, g.gl_pathv + g.gl_pathc);
        globfree(&g);
        for (const auto& m : matches)
            read_into(m, &target.where, depth + 1, out);
        return;
    }

    if (count == 0)
        return;
    Location eol = at;
    eol.col += static_cast<int>(line.size());
    out.push_back({Token::Kind::end_of_line, "", false, eol});
    if (sink_) {
        for (auto& t : out)
            sink_->add(std::move(t));
        out.clear();
    }
}

} // namespace lvsd::conf
