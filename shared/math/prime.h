// Primality by trial division: for table sizes (Maglev) checked once, at parse or build time.
#pragma once

#include <cstdint>

namespace lvsd::math {

constexpr bool is_prime(uint32_t n) {
    if (n < 2)
        return false;
    for (uint64_t d = 2; d * d <= n; ++d)
        if (n % d == 0)
            return false;
    return true;
}

} // namespace lvsd::math
