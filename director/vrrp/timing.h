// VRRP timer arithmetic (RFC 3768 section 6.1, RFC 5798 section 6.1) in microseconds.
#pragma once

#include "vrrp/packet.h"

#include <chrono>
#include <cstdint>

namespace lvsd::vrrp {

using Duration = std::chrono::microseconds;

inline Duration centiseconds(uint32_t cs) {
    return Duration(static_cast<int64_t>(cs) * 10000);
}

// v3: ((256 - priority) * Master_Adver_Interval) / 256.
// v2: (256 - priority) / 256 seconds, independent of the interval.
Duration skew_time(Version v, uint8_t priority, uint16_t master_adver_interval_cs);

// 3 * Master_Adver_Interval + Skew_Time.
Duration master_down_interval(Version v, uint8_t priority, uint16_t master_adver_interval_cs);

} // namespace lvsd::vrrp
