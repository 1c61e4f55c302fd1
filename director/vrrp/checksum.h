// RFC 1071 Internet checksum, summed piecewise so a pseudo-header needs no copy of the payload.
#pragma once

#include <cstdint>
#include <span>

namespace lvsd::vrrp {

class Checksum {
public:
    // Every piece but the last must have even length; an odd tail is padded with zero.
    void add(std::span<const uint8_t> bytes);
    void add16(uint16_t v) { sum_ += v; }
    uint16_t value() const; // one's complement of the folded sum, host order

private:
    uint64_t sum_ = 0;
};

} // namespace lvsd::vrrp
