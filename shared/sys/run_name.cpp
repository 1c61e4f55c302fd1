#include "sys/run_name.h"

#include "sys/privilege.h"

namespace lvsd::sys {

std::string per_netns_name(const std::string& base, const std::string& suffix) {
    std::string tag = netns_tag();
    return base + (tag.empty() ? "" : "." + tag) + suffix;
}

} // namespace lvsd::sys
