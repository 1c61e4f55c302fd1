#include "director/notify/command_line.h"

namespace lvsd::director::notify {

std::optional<std::vector<std::string>> split_command(std::string_view command) {
    std::vector<std::string> argv;
    std::string word;
    bool in_word = false; // "" is a word of its own, so track it apart from word.empty()
    char quote = 0;
    for (size_t i = 0; i < command.size(); ++i) {
        char c = command[i];
        if (quote == '\'') {
            if (c == '\'')
                quote = 0;
            else
                word += c;
        } else if (c == '\\' && i + 1 < command.size()) {
            word += command[++i];
            in_word = true;
        } else if (quote == '"') {
            if (c == '"')
                quote = 0;
            else
                word += c;
        } else if (c == '\'' || c == '"') {
            quote = c;
            in_word = true;
        } else if (c == ' ' || c == '\t' || c == '\n') {
            if (in_word)
                argv.push_back(std::move(word));
            word.clear();
            in_word = false;
        } else {
            word += c;
            in_word = true;
        }
    }
    if (quote != 0)
        return std::nullopt;
    if (in_word)
        argv.push_back(std::move(word));
    if (argv.empty())
        return std::nullopt;
    return argv;
}

} // namespace lvsd::director::notify
