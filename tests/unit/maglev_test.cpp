#define BOOST_TEST_MODULE maglev
#include <boost/test/unit_test.hpp>

#include "director/dataplane/maglev.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

using namespace lvsd::director::dataplane;

namespace {

std::vector<maglev::Entry> servers(int n, int weight = 1) {
    std::vector<maglev::Entry> v;
    for (int i = 0; i < n; ++i)
        v.push_back({"10.0.0." + std::to_string(i + 10) + ":80", weight});
    return v;
}

// Slot → owner name ("" for none): comparable across builds whatever the entries' order.
std::vector<std::string> names(const std::vector<maglev::Entry>& e, uint32_t size,
                               uint64_t seed = 7) {
    std::vector<std::string> out;
    for (int32_t i : maglev::build(e, size, seed))
        out.push_back(i < 0 ? "" : e[static_cast<size_t>(i)].name);
    return out;
}

std::map<std::string, size_t> counts(const std::vector<std::string>& t) {
    std::map<std::string, size_t> c;
    for (const auto& n : t)
        ++c[n];
    return c;
}

} // namespace

BOOST_AUTO_TEST_CASE(primes) {
    BOOST_TEST(maglev::is_prime(65537));
    BOOST_TEST(maglev::is_prime(4093));
    BOOST_TEST(maglev::is_prime(251));
    BOOST_TEST(!maglev::is_prime(65536));
    BOOST_TEST(!maglev::is_prime(1));
    BOOST_CHECK_THROW(maglev::build(servers(2), 1000, 1), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(same_input_same_table_whatever_the_order) {
    auto a = servers(7);
    auto b = a;
    std::reverse(b.begin(), b.end());
    std::swap(b[1], b[4]);
    auto ta = names(a, 65537), tb = names(b, 65537);
    BOOST_TEST((ta == tb));
    BOOST_TEST((names(a, 65537) == ta)); // and again
    // Every slot owned; each of 7 equal servers near 1/7.
    for (const auto& [n, c] : counts(ta)) {
        BOOST_TEST(!n.empty());
        BOOST_TEST(std::abs(static_cast<double>(c) / 65537 - 1.0 / 7) < 0.01);
    }
}

BOOST_AUTO_TEST_CASE(the_seed_changes_the_table) {
    auto a = servers(4);
    BOOST_TEST((names(a, 4093, 1) != names(a, 4093, 2)));
}

BOOST_AUTO_TEST_CASE(removing_one_of_n_moves_little) {
    for (int n : {4, 10, 33}) {
        auto all = servers(n);
        auto before = names(all, 65537);
        auto gone = all[static_cast<size_t>(n / 2)].name;
        auto fewer = all;
        fewer.erase(fewer.begin() + n / 2);
        auto after = names(fewer, 65537);
        size_t moved = 0;
        for (size_t s = 0; s < before.size(); ++s) {
            BOOST_TEST(after[s] != gone);
            if (before[s] != after[s])
                ++moved;
        }
        double frac = static_cast<double>(moved) / 65537;
        BOOST_TEST_MESSAGE(n << " servers: " << frac << " of the slots moved");
        BOOST_TEST(frac <= 1.0 / n + 0.02, n << " servers: " << frac << " moved");
    }
}

// The nftables dataplane's default table size (lvs_nft_slots 4093): removing any one of N
// servers moves at most 1/N + 2 % of the slots for N up to 16, over several seeds (the worst
// case, not one lucky draw). Smaller tables do not keep this: at 1021 the worst case for 4
// servers moved 6.6 % of the other servers' slots (docs/dataplane.md), so they are an opt-in.
BOOST_AUTO_TEST_CASE(removing_one_of_n_moves_little_at_the_default_size) {
    const uint32_t size = 4093;
    for (int n : {2, 3, 4, 6, 10, 16}) {
        double worst = 0;
        for (uint64_t seed : {1u, 2u, 3u})
            for (int g = 0; g < n; ++g) {
                auto all = servers(n);
                auto before = names(all, size, seed);
                auto fewer = all;
                fewer.erase(fewer.begin() + g);
                auto after = names(fewer, size, seed);
                size_t moved = 0;
                for (size_t s = 0; s < before.size(); ++s)
                    moved += before[s] != after[s];
                worst = std::max(worst, static_cast<double>(moved) / size);
            }
        BOOST_TEST_MESSAGE(n << " servers: at most " << worst << " moved, 1/N = " << 1.0 / n);
        BOOST_TEST(worst <= 1.0 / n + 0.02, n << " servers: " << worst);
    }
}

BOOST_AUTO_TEST_CASE(weights_shape_the_table) {
    std::vector<maglev::Entry> e = {{"rs1", 3}, {"rs2", 1}};
    for (uint32_t size : {65537u, 4093u, 1021u}) {
        auto c = counts(names(e, size));
        double share = static_cast<double>(c["rs1"]) / size;
        BOOST_TEST(std::abs(share - 0.75) <= 0.02, "size " << size << ": rs1 share " << share);
        BOOST_TEST(c["rs1"] + c["rs2"] == size);
    }
}

BOOST_AUTO_TEST_CASE(weight_zero_gets_no_slot) {
    std::vector<maglev::Entry> e = {{"rs1", 1}, {"rs2", 0}, {"rs3", 2}};
    auto c = counts(names(e, 251));
    BOOST_TEST(c.count("rs2") == 0u);
    BOOST_TEST(c["rs1"] + c["rs3"] == 251u);
}

BOOST_AUTO_TEST_CASE(all_zero_is_empty) {
    auto t = maglev::build(servers(3, 0), 251, 1);
    BOOST_TEST(t.size() == 251u);
    for (auto i : t)
        BOOST_TEST(i == -1);
    BOOST_TEST(maglev::build({}, 251, 1).size() == 251u);
}

BOOST_AUTO_TEST_CASE(duplicate_names_are_refused) {
    std::vector<maglev::Entry> e = {{"rs1", 1}, {"rs1", 2}};
    BOOST_CHECK_THROW(maglev::build(e, 251, 1), std::invalid_argument);
}
