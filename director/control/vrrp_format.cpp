#include "director/control/vrrp_format.h"

#include <cstdio>

namespace lvsd::director::control {

using nlohmann::json;

namespace {

std::string field(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return "-";
    if (it->is_string())
        return it->get<std::string>().empty() ? "-" : it->get<std::string>();
    return it->dump();
}

std::string row(const std::string& name, const std::string& ifname, const std::string& vrid,
                const std::string& state, const std::string& prio, const std::string& master,
                const std::string& sent, const std::string& received, const std::string& dropped) {
    char buf[512];
    std::snprintf(buf, sizeof buf, "%-16s %-10s %4s %-7s %-8s %-16s %-8s %-8s %s\n", name.c_str(),
                  ifname.c_str(), vrid.c_str(), state.c_str(), prio.c_str(), master.c_str(),
                  sent.c_str(), received.c_str(), dropped.c_str());
    return buf;
}

} // namespace

std::string format_vrrp(const json& instances) {
    std::string out = row("Name", "Interface", "VRID", "State", "Priority", "Master", "Sent",
                          "Received", "Dropped");
    if (!instances.is_array())
        return out;
    for (const auto& i : instances) {
        if (!i.is_object())
            continue;
        std::string prio = field(i, "effective_priority") + "/" + field(i, "priority");
        out += row(field(i, "name"), field(i, "interface"), field(i, "vrid"), field(i, "state"),
                   prio, field(i, "master"), field(i, "adverts_sent"), field(i, "adverts_received"),
                   field(i, "dropped_total"));
    }
    return out;
}

} // namespace lvsd::director::control
