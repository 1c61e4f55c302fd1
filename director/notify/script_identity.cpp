#include "director/notify/script_identity.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

namespace lvsd::director::notify {

namespace {

constexpr const char* default_user = "keepalived_script";

std::variant<Identity, std::string> lookup(const std::string& user, const std::string& group_name) {
    passwd* pw = ::getpwnam(user.c_str());
    if (pw == nullptr)
        return "user '" + user + "' does not exist";
    Identity id;
    id.user = user;
    id.uid = pw->pw_uid;
    id.gid = pw->pw_gid;
    if (!group_name.empty()) {
        struct group* gr = ::getgrnam(group_name.c_str());
        if (gr == nullptr)
            return "group '" + group_name + "' does not exist";
        id.gid = gr->gr_gid;
    }
    // The user's supplementary groups, as a login would have them; computed here because the
    // child between fork and exec may only make async-signal-safe calls.
    int n = 16;
    std::vector<gid_t> groups(n);
    while (::getgrouplist(user.c_str(), id.gid, groups.data(), &n) < 0 && n < 65536)
        groups.resize(n > static_cast<int>(groups.size()) ? n : groups.size() * 2);
    groups.resize(n);
    id.groups = std::move(groups);
    return id;
}

} // namespace

std::variant<Identity, std::string> resolve_identity(const config::Script& script,
                                                     const config::GlobalDefs& global) {
    if (!script.user.empty())
        return lookup(script.user, script.group);
    if (!global.script_user.empty())
        return lookup(global.script_user, global.script_group);
    if (::getpwnam(default_user) != nullptr)
        return lookup(default_user, "");
    // No keepalived_script: the daemon's own ids, with no supplementary groups to drop into.
    Identity self;
    passwd* pw = ::getpwuid(::getuid());
    self.user = pw != nullptr ? pw->pw_name : std::to_string(::getuid());
    self.uid = ::getuid();
    self.gid = ::getgid();
    self.groups = {self.gid};
    return self;
}

} // namespace lvsd::director::notify
