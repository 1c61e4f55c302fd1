#include "director/dataplane/maglev.h"

#include "math/prime.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace lvsd::director::dataplane::maglev {

namespace {

uint64_t fmix64(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

} // namespace

uint64_t hash(std::string_view s, uint64_t seed) {
    uint64_t h = 0xcbf29ce484222325ULL ^ fmix64(seed + 0x9e3779b97f4a7c15ULL);
    for (unsigned char c : s) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return fmix64(h);
}

bool is_prime(uint32_t n) {
    return math::is_prime(n);
}

std::vector<int32_t> build(const std::vector<Entry>& entries, uint32_t size, uint64_t seed) {
    if (!is_prime(size))
        throw std::invalid_argument("maglev table size " + std::to_string(size) +
                                    " is not a prime");
    std::vector<int32_t> table(size, -1);

    // Turn order by name, so the input order does not matter.
    std::vector<size_t> order;
    for (size_t i = 0; i < entries.size(); ++i)
        if (entries[i].weight > 0)
            order.push_back(i);
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return entries[a].name < entries[b].name; });
    for (size_t i = 1; i < order.size(); ++i)
        if (entries[order[i]].name == entries[order[i - 1]].name)
            throw std::invalid_argument("maglev: duplicate backend " + entries[order[i]].name);
    if (order.empty())
        return table;

    struct Walk {
        uint64_t offset, skip, next = 0, filled = 0, weight;
    };
    std::vector<Walk> walks;
    uint64_t max_weight = 0;
    for (size_t i : order) {
        const auto& e = entries[i];
        uint64_t w = static_cast<uint64_t>(e.weight);
        walks.push_back({hash(e.name, seed) % size,
                         hash(e.name, seed ^ 0x5bd1e9955bd1e995ULL) % (size - 1) + 1, 0, 0, w});
        max_weight = std::max(max_weight, w);
    }

    uint32_t filled = 0;
    for (uint64_t round = 1; filled < size; ++round) {
        for (size_t k = 0; k < walks.size() && filled < size; ++k) {
            auto& w = walks[k];
            // Behind its share (filled / round < weight / max_weight): claim one slot.
            if (w.filled * max_weight >= w.weight * round)
                continue;
            uint64_t slot;
            do {
                slot = (w.offset + w.next * w.skip) % size;
                ++w.next;
            } while (table[slot] >= 0);
            table[slot] = static_cast<int32_t>(order[k]);
            ++w.filled;
            ++filled;
        }
    }
    return table;
}

} // namespace lvsd::director::dataplane::maglev
