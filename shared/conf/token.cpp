#include "conf/token.h"

#include "conf/diagnostic.h"

namespace lvsd::conf {

static bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

void tokenize_line(std::string_view line, const Location& start, std::vector<Token>& out) {
    auto at = [&](size_t i) {
        Location l = start;
        l.col = start.col + static_cast<int>(i);
        return l;
    };
    size_t i = 0;
    while (i < line.size()) {
        char c = line[i];
        if (is_space(c)) {
            ++i;
        } else if (c == '#' || c == '!') {
            break; // a comment starts only where a word could
        } else if (c == '{' || c == '}') {
            out.push_back({c == '{' ? Token::Kind::open : Token::Kind::close, std::string(1, c),
                           false, at(i)});
            ++i;
        } else if (c == '"') {
            size_t begin = i++;
            std::string text;
            bool closed = false;
            while (i < line.size()) {
                if (line[i] == '\\' && i + 1 < line.size()) {
                    text += line[i + 1];
                    i += 2;
                } else if (line[i] == '"') {
                    closed = true;
                    ++i;
                    break;
                } else {
                    text += line[i++];
                }
            }
            if (!closed)
                throw ConfigError({at(begin), Severity::error, "missing closing '\"'"});
            out.push_back({Token::Kind::word, std::move(text), true, at(begin)});
        } else {
            size_t begin = i;
            // '#' and '!' inside a word (a URL fragment, a password) are part of it.
            while (i < line.size() && !is_space(line[i]) && line[i] != '{' && line[i] != '}' &&
                   line[i] != '"')
                ++i;
            out.push_back(
                {Token::Kind::word, std::string(line.substr(begin, i - begin)), false, at(begin)});
        }
    }
}

} // namespace lvsd::conf
