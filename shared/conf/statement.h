// The block structure of keepalived.conf: a statement is the words of one line, optionally
// followed by a `{ ... }` block of further statements.
#pragma once

#include "conf/diagnostic.h"
#include "conf/token.h"

#include <optional>
#include <string>
#include <vector>

namespace lvsd::conf {

struct Word {
    std::string text;
    bool quoted = false;
    Location where;
};

struct Statement {
    std::vector<Word> words; // words[0] is the keyword; never empty
    bool has_block = false;
    std::vector<Statement> block;

    const std::string& keyword() const { return words[0].text; }
    const Location& where() const { return words[0].where; }
    size_t arg_count() const { return words.size() - 1; }
    const Word& arg(size_t i) const { return words.at(i + 1); }
    // The location just after the keyword, for "missing value" messages.
    Location after_keyword() const;
};

// Builds the statement tree. `{` may end a line or stand on the next line on its own; words after
// `{` on the same line start the block's first statement. Unbalanced braces are errors.
std::vector<Statement> build_statements(const std::vector<Token>& tokens);
// The same, taking the words out of `tokens` instead of copying them: for large files.
std::vector<Statement> build_statements(std::vector<Token>&& tokens);

} // namespace lvsd::conf
