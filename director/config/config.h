// The whole director configuration, as read from keepalived.conf.
#pragma once

#include "director/config/global_defs.h"
#include "director/config/virtual_server.h"
#include "director/config/virtual_server_group.h"
#include "director/config/vrrp_instance.h"
#include "director/config/vrrp_script.h"
#include "director/config/vrrp_sync_group.h"

#include <vector>

namespace lvsd::director::config {

struct Config {
    GlobalDefs global_defs;
    std::vector<VrrpScript> vrrp_scripts;
    std::vector<VrrpSyncGroup> vrrp_sync_groups;
    std::vector<VrrpInstance> vrrp_instances;
    std::vector<VirtualServerGroup> virtual_server_groups;
    std::vector<VirtualServer> virtual_servers;
};

} // namespace lvsd::director::config
