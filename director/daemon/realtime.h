// keepalived's vrrp_rt_priority / vrrp_no_swap: a busy host must not delay adverts so long that
// the backup takes over from a healthy master.
#pragma once

#include <string>

namespace lvsd::director {

// Returns "" on success, else what failed (the daemon logs it and runs on without).
std::string use_realtime(int rt_priority, bool lock_memory);

} // namespace lvsd::director
