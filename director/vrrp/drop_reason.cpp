#include "vrrp/drop_reason.h"

namespace lvsd::vrrp {

std::string_view name(DropReason r) {
    switch (r) {
    case DropReason::bad_family:
        return "bad_family";
    case DropReason::bad_ttl:
        return "bad_ttl";
    case DropReason::too_short:
        return "too_short";
    case DropReason::bad_version:
        return "bad_version";
    case DropReason::bad_type:
        return "bad_type";
    case DropReason::truncated:
        return "truncated";
    case DropReason::bad_checksum:
        return "bad_checksum";
    case DropReason::wrong_vrid:
        return "wrong_vrid";
    case DropReason::auth_type_mismatch:
        return "auth_type_mismatch";
    case DropReason::auth_mismatch:
        return "auth_mismatch";
    case DropReason::address_count_mismatch:
        return "address_count_mismatch";
    case DropReason::interval_mismatch:
        return "interval_mismatch";
    case DropReason::unknown_source:
        return "unknown_source";
    }
    return "unknown";
}

uint64_t DropCounters::total() const {
    uint64_t t = 0;
    for (uint64_t c : counts)
        t += c;
    return t;
}

std::string DropCounters::to_string() const {
    std::string out;
    for_each([&](DropReason r, uint64_t c) {
        if (!out.empty())
            out += ' ';
        out += name(r);
        out += '=';
        out += std::to_string(c);
    });
    return out;
}

} // namespace lvsd::vrrp
