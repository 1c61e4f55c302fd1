#include "vrrp/checksum.h"

namespace lvsd::vrrp {

void Checksum::add(std::span<const uint8_t> bytes) {
    std::size_t i = 0;
    for (; i + 1 < bytes.size(); i += 2)
        sum_ += static_cast<uint16_t>(bytes[i] << 8 | bytes[i + 1]);
    if (i < bytes.size())
        sum_ += static_cast<uint16_t>(bytes[i] << 8);
}

uint16_t Checksum::value() const {
    uint64_t s = sum_;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return static_cast<uint16_t>(~s);
}

} // namespace lvsd::vrrp
