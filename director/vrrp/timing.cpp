#include "vrrp/timing.h"

namespace lvsd::vrrp {

Duration skew_time(Version v, uint8_t priority, uint16_t master_adver_interval_cs) {
    const int64_t weight = 256 - priority;
    const int64_t interval_us = v == Version::v2 ? 1'000'000 : master_adver_interval_cs * 10'000;
    return Duration(weight * interval_us / 256);
}

Duration master_down_interval(Version v, uint8_t priority, uint16_t master_adver_interval_cs) {
    return 3 * centiseconds(master_adver_interval_cs) +
           skew_time(v, priority, master_adver_interval_cs);
}

} // namespace lvsd::vrrp
