#include "conf/statement.h"

namespace lvsd::conf {

Location Statement::after_keyword() const {
    Location l = where();
    l.col += static_cast<int>(keyword().size()) + 1;
    return l;
}

std::vector<Statement> build_statements(const std::vector<Token>& tokens) {
    return build_statements(std::vector<Token>(tokens));
}

std::vector<Statement> build_statements(std::vector<Token>&& tokens) {
    StatementBuilder b;
    for (Token& t : tokens)
        b.add(std::move(t));
    return b.finish();
}

std::vector<Statement>& StatementBuilder::current() {
    return stack_.empty() ? top_ : stack_.back()->block;
}

void StatementBuilder::flush() {
    if (!pending_.words.empty())
        current().push_back(std::move(pending_));
    pending_ = Statement{};
}

void StatementBuilder::add(Token&& t) {
    switch (t.kind) {
    case Token::Kind::word:
        pending_.words.push_back({std::move(t.text), t.quoted, std::move(t.where)});
        break;
    case Token::Kind::end_of_line:
        flush();
        break;
    case Token::Kind::open: {
        if (pending_.words.empty()) {
            // `{` on a line of its own opens the block of the statement just before it.
            auto& cur = current();
            if (cur.empty() || cur.back().has_block)
                throw ConfigError({t.where, Severity::error, "'{' without a keyword before it"});
            cur.back().has_block = true;
            stack_.push_back(&cur.back());
        } else {
            pending_.has_block = true;
            auto& cur = current();
            cur.push_back(std::move(pending_));
            pending_ = Statement{};
            stack_.push_back(&cur.back());
        }
        opened_at_.push_back(t.where);
        break;
    }
    case Token::Kind::close:
        flush();
        if (stack_.empty())
            throw ConfigError({t.where, Severity::error, "'}' without a matching '{'"});
        stack_.pop_back();
        opened_at_.pop_back();
        break;
    }
}

std::vector<Statement> StatementBuilder::finish() {
    flush();
    if (!stack_.empty())
        throw ConfigError({opened_at_.back(), Severity::error,
                           "block of '" + stack_.back()->keyword() + "' is never closed"});
    return std::move(top_);
}

} // namespace lvsd::conf
