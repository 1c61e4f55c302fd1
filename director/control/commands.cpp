#include "director/control/commands.h"

#include "director/dataplane/table_json.h"

#include <cstdio>
#include <stdexcept>

namespace lvsd::director::control {

using nlohmann::json;

json error_reply(const std::string& message) {
    return {{"ok", false}, {"error", message}};
}

json to_json(const BackendInfo& b) {
    json j = {{"name", b.name}};
    if (b.ipvs_version)
        j["version"] = std::to_string(*b.ipvs_version >> 16 & 0xff) + "." +
                       std::to_string(*b.ipvs_version >> 8 & 0xff) + "." +
                       std::to_string(*b.ipvs_version & 0xff);
    if (b.conn_table_size)
        j["conn_table_size"] = *b.conn_table_size;
    return j;
}

BackendInfo backend_info_from_json(const json& j) {
    BackendInfo b;
    try {
        b.name = j.at("name").get<std::string>();
        if (j.contains("version")) {
            std::string v = j["version"].get<std::string>();
            unsigned major = 0, minor = 0, patch = 0;
            char end = 0;
            if (std::sscanf(v.c_str(), "%u.%u.%u%c", &major, &minor, &patch, &end) != 3 ||
                major > 255 || minor > 255 || patch > 255)
                throw std::invalid_argument("bad IPVS version '" + v + "'");
            b.ipvs_version = major << 16 | minor << 8 | patch;
        }
        if (j.contains("conn_table_size"))
            b.conn_table_size = j["conn_table_size"].get<uint32_t>();
    } catch (const json::exception& e) {
        throw std::invalid_argument(std::string("backend: ") + e.what());
    }
    return b;
}

json handle_request(const json& request, const Sources& sources) {
    if (!request.is_object())
        return error_reply("a request is a JSON object, like {\"command\": \"list\"}");
    auto cmd = request.find("command");
    if (cmd == request.end() || !cmd->is_string())
        return error_reply("the request has no \"command\" string");
    const std::string name = cmd->get<std::string>();
    try {
        if (name == "ping")
            return {{"ok", true}};
        if (name == "list") {
            if (!sources.table)
                return error_reply("no dataplane runs in this lvs-director");
            json reply = {{"ok", true}};
            reply["backend"] = sources.backend ? to_json(sources.backend()) : json::object();
            reply["table"] = dataplane::to_json(sources.table());
            return reply;
        }
        if (name == "vrrp") {
            json instances = sources.vrrp_instances ? sources.vrrp_instances() : json::array();
            return {{"ok", true}, {"vrrp_instances", std::move(instances)}};
        }
    } catch (const std::exception& e) {
        return error_reply(name + ": " + e.what());
    } catch (...) {
        return error_reply(name + ": failed");
    }
    return error_reply("unknown command '" + name + "' (known: list, vrrp, ping)");
}

Handler make_handler(Sources sources) {
    return [sources = std::move(sources)](const json& request) {
        return handle_request(request, sources);
    };
}

} // namespace lvsd::director::control
