// Why a received advertisement was discarded, and per-reason counters for the stats dump.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lvsd::vrrp {

enum class DropReason : uint8_t {
    bad_family, // src/dst families differ, or do not suit the version/instance
    bad_ttl,    // TTL / hop limit not 255: the packet may have been routed
    too_short,  // shorter than the fixed header
    bad_version,
    bad_type,
    truncated, // the count announces more addresses (or auth data) than the bytes hold
    bad_checksum,
    wrong_vrid,
    auth_type_mismatch,
    auth_mismatch,
    address_count_mismatch,
    interval_mismatch, // v2 only: v3 backups adopt the master's interval
    unknown_source,    // unicast: the sender is not one of the configured peers
};

inline constexpr std::size_t kDropReasonCount = 13;
static_assert(static_cast<std::size_t>(DropReason::unknown_source) + 1 == kDropReasonCount);

std::string_view name(DropReason r);

struct DropCounters {
    std::array<uint64_t, kDropReasonCount> counts{};

    void count(DropReason r) { ++counts[static_cast<std::size_t>(r)]; }
    uint64_t operator[](DropReason r) const { return counts[static_cast<std::size_t>(r)]; }
    uint64_t total() const;

    // f(DropReason, uint64_t) for every reason, in enum order.
    template <class F> void for_each(F&& f) const {
        for (std::size_t i = 0; i < kDropReasonCount; ++i)
            f(static_cast<DropReason>(i), counts[i]);
    }
    std::string to_string() const; // "bad_family=0 bad_ttl=2 ..."
};

} // namespace lvsd::vrrp
