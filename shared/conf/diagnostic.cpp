#include "conf/diagnostic.h"

#include <algorithm>

namespace lvsd::conf {

std::string Location::str() const {
    std::string name = file ? *file : std::string("<input>");
    if (line <= 0)
        return name;
    return name + ":" + std::to_string(line) + ":" + std::to_string(col);
}

static const char* severity_name(Severity s) {
    switch (s) {
    case Severity::note:
        return "note";
    case Severity::warning:
        return "warning";
    case Severity::error:
        return "error";
    }
    return "error";
}

std::string Diagnostic::str() const {
    return where.str() + ": " + severity_name(severity) + ": " + message;
}

size_t Diagnostics::count(Severity s) const {
    return std::count_if(all_.begin(), all_.end(),
                         [s](const Diagnostic& d) { return d.severity == s; });
}

bool Diagnostics::has_errors() const {
    return count(Severity::error) > 0;
}

} // namespace lvsd::conf
