// The words and braces of keepalived.conf syntax, each with its place.
#pragma once

#include "conf/location.h"

#include <string>
#include <string_view>
#include <vector>

namespace lvsd::conf {

struct Token {
    enum class Kind { word, open, close, end_of_line };
    Kind kind;
    std::string text; // the word, unquoted
    bool quoted = false;
    Location where;
};

// Splits one preprocessed line into words and braces. `#` and `!` start a comment where a word
// could start (so also after a value or a brace); inside quotes a backslash escapes the next
// character. An unterminated quote is an error at the quote.
void tokenize_line(std::string_view line, const Location& start, std::vector<Token>& out);

} // namespace lvsd::conf
