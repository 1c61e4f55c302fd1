// The nftables dataplane backend over libnftables: reads our "lvsd" tables back as a Table and
// applies diff() ops as one nft transaction (atomic: packets see the old table or the new one).
// Layout and the pure logic: model.h.
#pragma once

#include "director/dataplane/backend.h"
#include "director/dataplane/nft/model.h"

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

    Table read_table() override; // throws NftError
    // Refused ops (see stage()) are reported and left out; the rest is one transaction. If the
    // kernel refuses it, each service's changes are retried as a transaction of their own, so
    // one bad service does not hold back the others.
    ApplyResult apply(const std::vector<Op>& ops) override;

    State read_state(); // throws NftError
    // Runs nft commands (one transaction); 0 or an errno guessed from nft's message.
    int run(const std::string& commands);
    const std::string& last_error() const { return error_; } // nft's message of the last failure
    const Options& options() const { return options_; }

private:
    // Runs a listing command with JSON output; nullopt (and last_error) when it fails.
    std::optional<nlohmann::json> list_json(const std::string& command);

    Options options_;
    nft_ctx* ctx_ = nullptr;
    std::string error_;
};

} // namespace lvsd::director::dataplane::nft
