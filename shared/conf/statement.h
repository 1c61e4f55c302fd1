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
// The same, taking the words out of `tokens` instead of copying them.
std::vector<Statement> build_statements(std::vector<Token>&& tokens);

// build_statements one token at a time, so that a large file never holds all its tokens at once
// (Reader::read_file can feed it line by line).
class StatementBuilder {
public:
    void add(Token&& t);
    std::vector<Statement> finish(); // throws ConfigError for a block never closed

private:
    std::vector<Statement>& current();
    void flush();

    std::vector<Statement> top_;
    // The statements whose blocks are open, innermost last; the block being filled is
    // stack_.back()->block, or top_ when the stack is empty.
    std::vector<Statement*> stack_;
    std::vector<Location> opened_at_;
    Statement pending_;
};

} // namespace lvsd::conf
