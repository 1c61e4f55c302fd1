#include "director/dataplane/nft/nftables.h"

#include "director/dataplane/maglev.h"

#include <cerrno>
#include <linux/netfilter.h>
#include <map>
#include <nftables/libnftables.h>
#include <set>

namespace lvsd::director::dataplane::nft {

namespace {

// libnftables reports failures as text; the kernel's strerror() is in it.
int errno_of(const std::string& msg) {
    static const std::pair<const char*, int> known[] = {{"No such file or directory", ENOENT},
                                                        {"File exists", EEXIST},
                                                        {"Operation not supported", EOPNOTSUPP},
                                                        {"Interface does not exist", ENODEV},
                                                        {"No such device", ENODEV},
                                                        {"Operation not permitted", EPERM},
                                                        {"Device or resource busy", EBUSY},
                                                        {"No buffer space", ENOBUFS},
                                                        {"Cannot allocate memory", ENOMEM},
                                                        {"Too many links", EMLINK}};
    for (const auto& [text, err] : known)
        if (msg.find(text) != std::string::npos)
            return err;
    return EINVAL;
}

} // namespace

NftBackend::NftBackend(Options options) : options_(std::move(options)) {
    if (!maglev::is_prime(options_.slots))
        throw NftError("nft: table size " + std::to_string(options_.slots) + " is not a prime");
    ctx_ = nft_ctx_new(NFT_CTX_DEFAULT);
    if (!ctx_)
        throw NftError("nft: cannot create a libnftables context");
    nft_ctx_buffer_output(ctx_);
    nft_ctx_buffer_error(ctx_);
}

NftBackend::~NftBackend() {
    if (ctx_)
        nft_ctx_free(ctx_);
}

int NftBackend::run(const std::string& commands) {
    nft_ctx_output_set_flags(ctx_, 0);
    if (nft_run_cmd_from_buffer(ctx_, commands.c_str()) == 0) {
        error_.clear();
        return 0;
    }
    error_ = nft_ctx_get_error_buffer(ctx_);
    return errno_of(error_);
}

std::optional<nlohmann::json> NftBackend::list_json(const std::string& command) {
    nft_ctx_output_set_flags(ctx_, NFT_CTX_OUTPUT_JSON);
    int rc = nft_run_cmd_from_buffer(ctx_, command.c_str());
    nft_ctx_output_set_flags(ctx_, 0);
    if (rc != 0) {
        error_ = nft_ctx_get_error_buffer(ctx_);
        return std::nullopt;
    }
    try {
        return nlohmann::json::parse(nft_ctx_get_output_buffer(ctx_));
    } catch (const std::exception& e) {
        error_ = std::string("nft: unreadable JSON listing: ") + e.what();
        return std::nullopt;
    }
}

State NftBackend::read_state() {
    // Only the objects that carry settings: the dispatch vmaps, then each service's destination
    // set and drained-slot map; never the Maglev maps, which are large and rebuilt from these.
    // One command per object: nft 1.0.6 lists several objects in one run unreliably, and
    // `list tables` would fetch every element of every set.
    std::vector<nlohmann::json> listings;
    std::set<Place> present;
    // Absent (ENOENT) is an answer; any other failure leaves the listing incomplete.
    read_complete_ = true;
    auto list = [&](const std::string& command) {
        auto l = list_json(command);
        if (!l && errno_of(error_) != ENOENT)
            read_complete_ = false;
        return l;
    };
    for (auto place : {Place::netdev, Place::ip, Place::ip6})
        for (const char* vmap : {"svc4", "svc6", "fwm4", "fwm6"}) {
            if ((place == Place::ip && vmap[3] == '6') || (place == Place::ip6 && vmap[3] == '4') ||
                (place == Place::netdev && vmap[0] == 'f'))
                continue;
            // Absent (ENOENT): the table does not exist, nothing of ours is there.
            if (auto l = list("list map " + family(place) + " lvsd " + vmap)) {
                listings.push_back(std::move(*l));
                present.insert(place);
            }
        }
    for (const auto& [key, s] : parse_state(listings).services) {
        auto prefix = family(s.place) + " lvsd " + object_id(key);
        // A missing object leaves the service without destinations: the next apply reports it.
        if (auto l = list("list set " + prefix + "_dst"))
            listings.push_back(std::move(*l));
        if (s.place == Place::netdev)
            if (auto l = list("list map " + prefix + "_est"))
                listings.push_back(std::move(*l));
    }
    auto st = parse_state(listings);
    st.tables.insert(present.begin(), present.end());
    return st;
}

std::optional<std::map<Place, uint64_t>> NftBackend::table_handles() {
    auto h = generation_.table_handles("lvsd");
    if (!h)
        return std::nullopt;
    std::map<Place, uint64_t> out;
    for (auto [nfproto, handle] : *h)
        if (nfproto == NFPROTO_NETDEV)
            out[Place::netdev] = handle;
        else if (nfproto == NFPROTO_IPV4)
            out[Place::ip] = handle;
        else if (nfproto == NFPROTO_IPV6)
            out[Place::ip6] = handle;
    return out;
}

State NftBackend::current() {
    // The generation before the listing: a commit during it makes the next call look again.
    auto generation = generation_.read();
    if (generation && kept_ && generation == seen_generation_)
        return *kept_;
    // Someone else committed. Most such commits (a firewall, fail2ban, a container runtime)
    // leave our tables alone: the same tables, with the same handles, keep what they held.
    // A flush, or a saved ruleset restored with old copies of them, makes new ones.
    if (generation && kept_ && seen_generation_ && handles_) {
        if (auto h = table_handles(); h && *h == *handles_) {
            seen_generation_ = generation;
            return *kept_;
        }
    }
    // A read for lvsctl must not hide from the next apply that our tables need mending.
    if (generation && seen_generation_ && generation != seen_generation_)
        foreign_commit_ = true;
    kept_.reset();
    handles_ = table_handles();
    State s = read_state();
    seen_generation_ = generation;
    // A commit during the read: this read may be half of each; keep nothing, and mend.
    if (auto now = generation_.read(); now != generation) {
        foreign_commit_ = true;
        return s;
    }
    if (generation && read_complete_ && handles_)
        kept_ = s;
    return s;
}

void NftBackend::committed(std::optional<uint32_t> before, uint32_t ours,
                           std::optional<State> made) {
    // The handles first: a commit after them moves the generation read next.
    handles_ = table_handles();
    auto after = generation_.read();
    kept_.reset();
    // Only our own commits since the tables were known: they hold what we made. (The kernel
    // skips 0 when the number wraps; the test then fails and the next apply reads again.)
    bool only_ours = before && after && *after == *before + ours;
    if (before && after && !only_ours)
        foreign_commit_ = true; // someone else's commit crossed ours: mend at the next look
    seen_generation_ = after;
    if (only_ours && made && handles_)
        kept_ = std::move(made);
}

bool NftBackend::changed_elsewhere() {
    if (foreign_commit_)
        return true;
    auto generation = generation_.read();
    if (!generation || !seen_generation_ || generation == seen_generation_)
        return false;
    current(); // may find our tables untouched, or set foreign_commit_
    return foreign_commit_;
}

Table NftBackend::read_table() {
    return current().table();
}

ApplyResult NftBackend::apply(const std::vector<Op>& ops) {
    ApplyResult r;
    r.ops = ops;
    State current = this->current();
    foreign_commit_ = false; // this apply works from what the kernel holds now
    auto before = seen_generation_;
    auto staged = stage(current, ops, options_);
    std::set<size_t> failed;
    for (const auto& [i, err] : staged.refused) {
        r.errors.push_back({ops[i], err});
        failed.insert(i);
    }
    for (auto i : staged.skipped) {
        r.skipped.push_back(ops[i]);
        failed.insert(i);
    }
    auto commands = render(current, staged.next, options_);
    if (commands.empty()) {
        r.applied = ops.size() - failed.size();
        return r;
    }
    if (run(commands) == 0) {
        committed(before, 1, std::move(staged.next));
        r.applied = ops.size() - failed.size();
        return r;
    }

    // The kernel refused the batch (a refusal commits nothing): each service on its own.
    uint32_t ours = 0;
    std::set<ServiceKey> keys;
    for (const auto& [k, s] : current.services)
        keys.insert(k);
    for (const auto& [k, s] : staged.next.services)
        keys.insert(k);
    State step = current;
    for (const auto& key : keys) {
        State trial = step;
        auto it = staged.next.services.find(key);
        if (it != staged.next.services.end())
            trial.services[key] = it->second;
        else
            trial.services.erase(key);
        trial.tables.clear();
        for (const auto& [k, s] : trial.services)
            trial.tables.insert(s.place);
        auto c = render(step, trial, options_);
        if (c.empty())
            continue;
        int err = run(c);
        if (err == 0) {
            step = std::move(trial);
            ++ours;
            continue;
        }
        for (size_t i = 0; i < ops.size(); ++i)
            if (ops[i].service.key == key && !failed.count(i)) {
                r.errors.push_back({ops[i], err});
                failed.insert(i);
            }
    }
    committed(before, ours, std::nullopt); // rare: the next apply reads the kernel
    r.applied = ops.size() - failed.size();
    return r;
}

} // namespace lvsd::director::dataplane::nft
