// The nftables dataplane backend over libnftables: reads our "lvsd" tables back as a Table and
// applies diff() ops as one nft transaction (atomic: packets see the old table or the new one).
// Layout and the pure logic: model.h.
//
// Reading the tables back costs about 100 ms per 10,000 real servers, so the backend keeps what
// it last read or committed and reads again only when the ruleset's generation says someone
// else has committed since and our tables are not the same ones any more (a firewall reload
// that flushed the ruleset, or restored an old copy of them).
// What it reads is only what it would read anyway (vmaps, destination sets, drained slots);
// the Maglev maps and chains were never read back, before or now.
#pragma once

#include "director/dataplane/backend.h"
#include "director/dataplane/nft/generation.h"
#include "director/dataplane/nft/model.h"

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct nft_ctx;

namespace lvsd::director::dataplane::nft {

class NftError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class NftBackend : public Backend {
public:
    explicit NftBackend(Options options); // throws NftError
    ~NftBackend() override;
    NftBackend(const NftBackend&) = delete;
    NftBackend& operator=(const NftBackend&) = delete;

    Table read_table() override; // throws NftError; the kept State while it holds
    // Refused ops (see stage()) are reported and left out; the rest is one transaction. If the
    // kernel refuses it, each service's changes are retried as a transaction of their own, so
    // one bad service does not hold back the others.
    ApplyResult apply(const std::vector<Op>& ops) override;

    State read_state(); // from the kernel, always; throws NftError
    // Someone else committed to the ruleset since our last apply (false when nothing is kept
    // or the kernel does not say): an apply now reads the kernel again and mends our tables.
    bool changed_elsewhere();
    // The State kept for the next read_table() or apply(), if any (tests compare it with
    // read_state()).
    const std::optional<State>& kept() const { return kept_; }
    // Runs nft commands (one transaction); 0 or an errno guessed from nft's message.
    int run(const std::string& commands);
    const std::string& last_error() const { return error_; } // nft's message of the last failure
    const Options& options() const { return options_; }

private:
    // kept_ while it holds: the generation is the one it was read or made at, or only others'
    // commits came since and our tables are the same tables (handles). Else a read.
    State current();
    // After our transactions (`ours` of them committed): keep `made` if no one else committed
    // in between, else note that someone did.
    void committed(std::optional<uint32_t> before, uint32_t ours, std::optional<State> made);
    std::optional<std::map<Place, uint64_t>> table_handles(); // our tables' handles
    // Runs a listing command with JSON output; nullopt (and last_error) when it fails.
    std::optional<nlohmann::json> list_json(const std::string& command);

    Options options_;
    nft_ctx* ctx_ = nullptr;
    std::string error_;
    RulesetGeneration generation_;
    std::optional<State> kept_;
    std::optional<uint32_t> seen_generation_;          // at our last read or commit
    std::optional<std::map<Place, uint64_t>> handles_; // our tables' handles then
    bool read_complete_ = false;  // the last read_state() had every listing it asked for
    bool foreign_commit_ = false; // someone else's commit changed our tables since the last apply
};

} // namespace lvsd::director::dataplane::nft
