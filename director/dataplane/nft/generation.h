// The nftables ruleset's generation: a number the kernel raises with every committed
// transaction, whoever commits it (NFT_MSG_GETGEN over nfnetlink). The same number twice means
// nothing changed in between, so what was read at the first still holds at the second.
#pragma once

#include <cstdint>
#include <optional>

struct nl_sock;
struct nl_cb;

namespace lvsd::director::dataplane::nft {

class RulesetGeneration {
public:
    RulesetGeneration(); // a socket that cannot be opened leaves read() answering nullopt
    ~RulesetGeneration();
    RulesetGeneration(const RulesetGeneration&) = delete;
    RulesetGeneration& operator=(const RulesetGeneration&) = delete;

    // The current generation of this network namespace's ruleset; nullopt if the kernel did
    // not say (the caller then trusts nothing it read before).
    std::optional<uint32_t> read();

private:
    void close();

    nl_sock* sock_ = nullptr;
    nl_cb* cb_ = nullptr;
};

} // namespace lvsd::director::dataplane::nft
