#include "sys/privilege.h"

#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace lvsd::sys {

bool has_net_admin() {
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    if (syscall(SYS_capget, &hdr, data) != 0)
        return false;
    return data[CAP_NET_ADMIN / 32].effective & (1u << (CAP_NET_ADMIN % 32));
}

std::string netns_tag() {
    struct stat self {
    }, init{};
    if (stat("/proc/self/ns/net", &self) != 0)
        return "";
    // Unreadable when we are not root; then we cannot change anything anyway.
    if (stat("/proc/1/ns/net", &init) == 0 && init.st_ino == self.st_ino &&
        init.st_dev == self.st_dev)
        return "";
    return "netns" + std::to_string(self.st_ino);
}

} // namespace lvsd::sys
