// The nftables ruleset's generation: a number the kernel raises with every committed
// transaction, whoever commits it (NFT_MSG_GETGEN over nfnetlink). The same number twice means
// nothing changed in between, so what was read at the first still holds at the second.
// And the handles of the tables of one name: the kernel numbers tables as it makes them, so a
// table deleted and made again (a flushed ruleset restored) has a new one. Both are one small
// netlink exchange each, where libnftables would fetch every element of every set.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

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
    // The handle of each table called `name`, by family (NFPROTO_*); nullopt if the kernel did
    // not say.
    std::optional<std::map<int, uint64_t>> table_handles(const std::string& name);

private:
    void close();
    std::optional<uint32_t> send(int type, int flags);

    nl_sock* sock_ = nullptr;
    nl_cb* cb_ = nullptr;
};

} // namespace lvsd::director::dataplane::nft
