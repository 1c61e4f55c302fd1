#include "director/checks/agent_text.h"

#include <algorithm>
#include <cctype>

namespace lvsd::director::checks {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view s) {
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

std::optional<int> percent_of(std::string_view w) {
    if (w.size() < 2 || w.size() > 4 || w.back() != '%')
        return std::nullopt;
    int v = 0;
    for (char c : w.substr(0, w.size() - 1)) {
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + (c - '0');
    }
    if (v > 100)
        return std::nullopt;
    return v;
}

} // namespace

AgentText parse_agent_text(std::string_view line) {
    AgentText t;
    if (auto hash = line.find('#'); hash != std::string_view::npos) {
        t.reason = std::string(trim(line.substr(hash + 1)));
        line = line.substr(0, hash);
    }
    size_t i = 0;
    while (i < line.size()) {
        size_t end = line.find_first_of(" \t,\r\n", i);
        if (end == std::string_view::npos)
            end = line.size();
        std::string w = lower(line.substr(i, end - i));
        i = end + 1;
        if (w.empty())
            continue;
        bool known = true;
        if (w == "up")
            t.up = t.up.value_or(true); // a "down" in the same line wins
        else if (w == "down" || w == "fail" || w == "stopped" || w == "maint")
            t.up = false;
        else if (w == "ready")
            t.ready = true;
        else if (w == "drain")
            t.drain = true;
        else if (auto p = percent_of(w))
            t.percent = p;
        else
            known = false;
        t.recognized = t.recognized || known;
    }
    return t;
}

bool agent_down(const AgentText& t) {
    return !t.recognized || t.up == false;
}

int agent_weight(const AgentText& t, int configured) {
    if (agent_down(t) || t.drain)
        return 0;
    return static_cast<int>(static_cast<long>(configured) * t.percent.value_or(100) / 100);
}

} // namespace lvsd::director::checks
