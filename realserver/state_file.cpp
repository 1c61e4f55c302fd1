#include "state_file.h"

#include "sys/privilege.h"

#include <fcntl.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/file.h>
#include <system_error>
#include <unistd.h>

namespace lvsd::realserver {

using json = nlohmann::json;

const SavedSysctl* State::sysctl(const std::string& key) const {
    for (const auto& s : sysctls)
        if (s.key == key)
            return &s;
    return nullptr;
}

bool State::has_address(const net::IpAddress& a, const std::string& device) const {
    for (const auto& p : addresses)
        if (p.address == a && p.device == device)
            return true;
    return false;
}

std::string state_to_json(const State& s) {
    json j;
    j["version"] = 1;
    j["config"] = s.config;
    j["started_at"] = s.started_at;
    j["drained"] = s.drained;
    j["sysctls"] = json::array();
    for (const auto& c : s.sysctls)
        j["sysctls"].push_back({{"key", c.key}, {"original", c.original}, {"value", c.value}});
    j["addresses"] = json::array();
    for (const auto& a : s.addresses)
        j["addresses"].push_back(
            {{"address", a.address.str_prefixed()}, {"device", a.device}, {"label", a.label}});
    j["raised"] = s.raised;
    return j.dump(2) + "\n";
}

State state_from_json(const std::string& text) {
    State s;
    try {
        json j = json::parse(text);
        if (j.at("version") != 1)
            throw std::runtime_error("unknown state file version");
        s.config = j.value("config", "");
        s.started_at = j.value("started_at", 0LL);
        s.drained = j.value("drained", false);
        for (const auto& c : j.at("sysctls"))
            s.sysctls.push_back({c.at("key"), c.at("original"), c.at("value")});
        for (const auto& a : j.at("addresses")) {
            auto addr = net::IpAddress::parse(a.at("address").get<std::string>());
            if (!addr)
                throw std::runtime_error("bad address in state file");
            s.addresses.push_back({*addr, a.at("device"), a.value("label", "")});
        }
        // Files of before the field: nothing recorded as brought up.
        s.raised = j.value("raised", std::vector<std::string>{});
    } catch (const json::exception& e) {
        throw std::runtime_error(std::string("corrupt state file: ") + e.what());
    }
    return s;
}

std::filesystem::path default_state_path(const std::filesystem::path& dir) {
    std::string tag = sys::netns_tag();
    return dir / (tag.empty() ? "realserver.state" : "realserver." + tag + ".state");
}

std::optional<State> load_state(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in)
        return std::nullopt;
    std::stringstream buf;
    buf << in.rdbuf();
    try {
        return state_from_json(buf.str());
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(path.string() + ": " + e.what());
    }
}

void save_state(const std::filesystem::path& path, const State& s) {
    std::filesystem::create_directories(path.parent_path());
    auto tmp = path;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << state_to_json(s);
        out.flush();
        if (!out)
            throw std::system_error(errno, std::generic_category(), "cannot write " + tmp.string());
    }
    std::filesystem::rename(tmp, path);
}

void remove_state(const std::filesystem::path& path) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
}

StateLock::StateLock(const std::filesystem::path& state) {
    std::filesystem::create_directories(state.parent_path());
    auto p = state;
    p += ".lock";
    fd_ = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0)
        throw std::system_error(errno, std::generic_category(), "cannot lock " + p.string());
}

StateLock::~StateLock() {
    if (fd_ >= 0)
        ::close(fd_);
}

bool set_drained(const std::filesystem::path& path, bool drained) {
    StateLock lock(path);
    auto st = load_state(path);
    if (!st)
        return false;
    st->drained = drained;
    save_state(path, *st);
    return true;
}

} // namespace lvsd::realserver
