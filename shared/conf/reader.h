// Reads keepalived.conf syntax into tokens: `include` with globs (relative to the including file),
// `$NAME=value` definitions and `$NAME` / `${NAME}` substitution, `@id` / `@^id` conditional lines,
// and `~SEQ(var, start, [step,] end)` line expansion.
#pragma once

#include "conf/diagnostic.h"
#include "conf/statement.h"
#include "conf/token.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace lvsd::conf {

class Reader {
public:
    explicit Reader(Diagnostics& diags) : diags_(diags) {}

    // The id that `@id` lines are matched against (keepalived's `-i`); empty matches no `@id`.
    void set_config_id(std::string id) { config_id_ = std::move(id); }

    // Lines that ~SEQ may produce in total over everything read (nested sequences multiply).
    void set_expansion_limit(size_t lines) { expansion_limit_ = lines; }

    std::vector<Token> read_file(const std::filesystem::path& path);
    // Streams the tokens into `sink` line by line instead: the way to read large files.
    void read_file(const std::filesystem::path& path, StatementBuilder& sink);
    std::vector<Token> read_string(std::string_view text, const std::string& name);

    // Every file read, in order (includes too): for reload checks and messages.
    const std::vector<std::filesystem::path>& files() const { return files_; }

private:
    void read_into(const std::filesystem::path& path, const Location* included_from, int depth,
                   std::vector<Token>& out);
    void read_text(std::string_view text, const std::shared_ptr<const std::string>& name,
                   const std::filesystem::path& dir, int depth, std::vector<Token>& out);
    void process_line(std::string_view line, const Location& start,
                      const std::filesystem::path& dir, int depth, std::vector<Token>& out);
    std::string substitute(std::string_view line, const Location& start) const;

    Diagnostics& diags_;
    std::string config_id_;
    std::map<std::string, std::string> vars_;
    std::vector<std::filesystem::path> files_;
    StatementBuilder* sink_ = nullptr; // set while read_file streams into it
    size_t expanded_lines_ = 0;
    size_t expansion_limit_ = 1000000;
};

} // namespace lvsd::conf
