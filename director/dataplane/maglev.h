// Maglev consistent hashing (Eisenbud et al., NSDI 2016): a lookup table of a prime number of
// slots, each naming one backend. Each backend walks its own permutation of the slots, derived
// from two hashes of its stable name, and the backends take turns claiming the next free slot of
// their permutation. Removing one of N backends reassigns its slots and only a few others, so
// flows hashed to the table keep their backend. Pure: the same names, weights, size and seed
// give the same table on every director, whatever order the backends are listed in.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lvsd::director::dataplane::maglev {

inline constexpr uint32_t default_size = 65537;

struct Entry {
    std::string name; // stable identity, e.g. "10.0.0.2:80"
    int weight = 1;   // 0 (or less): no slots
};

// 64-bit FNV-1a of `s` with `seed` folded into the offset basis, then a 64-bit finalizer
// (murmur3's fmix64) so that nearby names spread over the whole range.
uint64_t hash(std::string_view s, uint64_t seed);

bool is_prime(uint32_t n);

// The lookup table: `size` slots (a prime > 1, throws std::invalid_argument otherwise), each the
// index into `entries` of the backend that owns it, or -1 for all slots when no entry has a
// positive weight. Entries with equal names are an error (std::invalid_argument).
// Weights: in each round a backend claims a slot when its share so far is behind
// weight / max_weight of the round count, so slot counts follow the weights.
std::vector<int32_t> build(const std::vector<Entry>& entries, uint32_t size, uint64_t seed);

} // namespace lvsd::director::dataplane::maglev
