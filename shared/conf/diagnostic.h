// Errors and warnings about configuration, printed as `file:line:col: error: ...`.
#pragma once

#include "conf/location.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace lvsd::conf {

enum class Severity { note, warning, error };

struct Diagnostic {
    Location where;
    Severity severity;
    std::string message;

    std::string str() const;
};

// Thrown for the first error that makes the rest of the input meaningless.
class ConfigError : public std::runtime_error {
public:
    explicit ConfigError(Diagnostic d) : std::runtime_error(d.str()), diag_(std::move(d)) {}
    const Diagnostic& diagnostic() const { return diag_; }

private:
    Diagnostic diag_;
};

// Collects diagnostics; parsers report here and keep going where they can.
class Diagnostics {
public:
    void note(const Location& l, std::string m) { add({l, Severity::note, std::move(m)}); }
    void warning(const Location& l, std::string m) { add({l, Severity::warning, std::move(m)}); }
    void error(const Location& l, std::string m) { add({l, Severity::error, std::move(m)}); }
    void add(Diagnostic d) { all_.push_back(std::move(d)); }

    const std::vector<Diagnostic>& all() const { return all_; }
    bool has_errors() const;
    size_t count(Severity s) const;

private:
    std::vector<Diagnostic> all_;
};

} // namespace lvsd::conf
