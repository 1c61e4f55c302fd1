// `lvs-realserver run`: holds the host state in the foreground for systemd (Type=notify).
#pragma once

#include "config.h"
#include "host.h"

#include <functional>

namespace lvsd::realserver {

// Applies the config, then every check_interval re-applies it (logging what someone undid) and
// re-evaluates readiness. SIGHUP re-reads the config through `reload` (a bad one keeps the old);
// SIGTERM/SIGINT undo everything and return. Returns the process exit code.
int run_daemon(Config config, const std::function<Config()>& reload, Host& host);

} // namespace lvsd::realserver
