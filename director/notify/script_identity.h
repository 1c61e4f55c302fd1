// Who a script runs as. keepalived's order: the script's own `user [group]`, else global_defs'
// `script_user [script_group]`, else user keepalived_script if it exists, else the daemon's own
// ids. A group not given is the user's primary group.
#pragma once

#include "director/config/global_defs.h"
#include "director/config/script.h"

#include <string>
#include <sys/types.h>
#include <variant>
#include <vector>

namespace lvsd::director::notify {

struct Identity {
    std::string user; // for messages
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups; // supplementary groups of the user, resolved before fork
};

// Looks the names up in the user database; the string is the error when a name does not exist.
std::variant<Identity, std::string> resolve_identity(const config::Script& script,
                                                     const config::GlobalDefs& global);

} // namespace lvsd::director::notify
