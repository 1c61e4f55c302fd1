// The nftables dataplane, pure part: what our tables hold (State), diff() ops applied to it
// (stage), the one nft transaction that turns one State into another (render), and the State
// read back from `nft -j list table` (parse_state). No I/O here; nftables.h runs the commands.
//
// Layout, all in tables named "lvsd" and nothing outside them:
//   table netdev lvsd   DR services: chain "ingress" on the director's interface (frames not
//                       addressed to our MAC left alone), vmaps svc4/svc6 from
//                       daddr . l4proto . dport to the service's chain, which forwards with
//                       `fwd ip to <slot map> device IF` (neighbour table gives the MACs).
//   table ip|ip6 lvsd   NAT services (and services with no destination yet): chain "pre" at
//                       nat prerouting, the same vmap, `dnat ... to <slot map>` (conntrack);
//                       before it, vmaps fwm4/fwm6 from `meta mark` for fwmark services (NAT
//                       only), hashed on saddr . th sport; real servers of port 0 keep the
//                       packet's port, as in IPVS (any protocol); other ports: TCP only.
// Per service (id "s" + 16 hex digits of a hash of its key): chain <id>; map <id>_new, the
// Maglev table (slot → real server), looked up by `jhash saddr . sport mod SLOTS seed SEED`;
// set <id>_dst, one element per destination whose comment holds its settings. DR services also
// have, only while one of their servers is drained, map <id>_est (drained slots: slot → the
// drained server, for packets of flows older than the drain) and set <id>_fresh (flows whose SYN
// came after the drain: they use <id>_new). Both come and go with the drain: an empty dynamic
// set of that size costs about 2 MiB of kernel memory, 2 GiB at a thousand services.
// The service's own settings sit in the comment of its vmap element.
#pragma once

#include "director/dataplane/diff.h"
#include "director/dataplane/table.h"

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace lvsd::director::dataplane::nft {

inline constexpr uint32_t default_slots = 4093;

struct Options {
    std::string interface; // DR: the director's interface; empty: DR ops are refused
    // Maglev table size per service, a prime (global_defs lvs_nft_slots). The default keeps
    // "removing one of N servers moves at most 1/N + 2 % of the flows" for N up to 16; 1021
    // costs a quarter of the time and memory but moves up to ~6 % more (docs/dataplane.md).
    uint32_t slots = default_slots;
    uint32_t seed = 0x4c564d31;   // jhash and Maglev seed: the same on every director
    uint32_t fresh_timeout = 900; // seconds a post-drain flow stays in <id>_fresh when idle
    bool operator==(const Options&) const = default;
};

enum class Place { netdev, ip, ip6 };
std::string family(Place p); // "netdev", "ip", "ip6"

struct ServiceState {
    Service service; // with its destinations
    Place place = Place::ip;
    uint32_t slots = 0, seed = 0;           // what its maps were built with
    std::map<uint32_t, DestinationKey> est; // DR: drained slots and who had them
    bool drain_objects = false; // <id>_est and <id>_fresh exist (as read from the kernel)
};

struct State {
    std::map<ServiceKey, ServiceState> services;
    std::set<Place> tables; // our tables that exist
    Table table() const;
};

std::string object_id(const ServiceKey& k); // "s0123456789abcdef"

// Ops applied to a State, each checked on its own: a refused op leaves the state as it was.
// Refusals: tunnel/local forwarding, DR without an interface, DR to a fwmark service (netdev
// ingress runs before the prerouting rules that set marks), a service whose destinations would
// mix DR and NAT, or (fwmark) port 0 and other ports (EOPNOTSUPP, ENODEV), missing or
// duplicate keys.
struct Staged {
    State next;
    std::vector<std::pair<size_t, int>> refused; // op index, errno
    std::vector<size_t> skipped;                 // destinations of a refused new service
};
Staged stage(const State& current, const std::vector<Op>& ops, const Options& o);

// The slot → value table of a service ("" for an empty slot): "10.0.0.2" (DR) or
// "10.0.0.2 . 80" (NAT), as nft writes map data.
std::vector<std::string> slot_values(const ServiceState& s);

// The rules of a service's chain (what follows "add rule <table> <id> ").
std::vector<std::string> chain_rules(const ServiceState& s, const Options& o);

// nft commands, one transaction, turning `from` into `to`; empty when nothing changes.
// Only the slots whose server changes are rewritten.
std::string render(const State& from, const State& to, const Options& o);

// The State held in what `nft -j list table F lvsd` printed (one listing per table).
State parse_state(const std::vector<nlohmann::json>& listings);

// The comments that carry the settings (each at most 128 bytes, nft's limit).
std::string encode(const ServiceState& s);
std::optional<ServiceState> decode_service(const std::string& comment, Place place);
std::string encode(const Destination& d);
std::optional<Destination> decode_destination(const std::string& comment);
std::string encode(const DestinationKey& k); // "10.0.1.1|80"
std::optional<DestinationKey> decode_destination_key(const std::string& comment);

} // namespace lvsd::director::dataplane::nft
