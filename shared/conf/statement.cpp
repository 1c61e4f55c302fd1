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
    std::vector<Statement> top;
    // The statements whose blocks are open, innermost last; the block being filled is
    // stack.back()->block, or `top` when the stack is empty.
    std::vector<Statement*> stack;
    std::vector<Location> opened_at;
    Statement pending;

    auto current = [&]() -> std::vector<Statement>& {
        return stack.empty() ? top : stack.back()->block;
    };
    auto flush = [&] {
        if (!pending.words.empty())
            current().push_back(std::move(pending));
        pending = Statement{};
    };

    for (Token& t : tokens) {
        switch (t.kind) {
        case Token::Kind::word:
            pending.words.push_back({std::move(t.text), t.quoted, std::move(t.where)});
            break;
        case Token::Kind::end_of_line:
            flush();
            break;
        case Token::Kind::open: {
            if (pending.words.empty()) {
                // `{` on a line of its own opens the block of the statement just before it.
                auto& cur = current();
                if (cur.empty() || cur.back().has_block)
                    throw ConfigError(
                        {t.where, Severity::error, "'{' without a keyword before it"});
                cur.back().has_block = true;
                stack.push_back(&cur.back());
            } else {
                pending.has_block = true;
                auto& cur = current();
                cur.push_back(std::move(pending));
                pending = Statement{};
                stack.push_back(&cur.back());
            }
            opened_at.push_back(t.where);
            break;
        }
        case Token::Kind::close:
            flush();
            if (stack.empty())
                throw ConfigError({t.where, Severity::error, "'}' without a matching '{'"});
            stack.pop_back();
            opened_at.pop_back();
            break;
        }
    }
    flush();
    if (!stack.empty())
        throw ConfigError({opened_at.back(), Severity::error,
                           "block of '" + stack.back()->keyword() + "' is never closed"});
    return top;
}

} // namespace lvsd::conf
