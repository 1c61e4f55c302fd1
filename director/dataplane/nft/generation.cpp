#include "director/dataplane/nft/generation.h"

#include <arpa/inet.h>
#include <endian.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <sys/socket.h>
#include <sys/time.h>

namespace lvsd::director::dataplane::nft {

namespace {

struct Pending {
    uint32_t seq = 0;
    std::optional<uint32_t> generation;
};

struct TableDump {
    uint32_t seq = 0;
    const std::string* name = nullptr;
    std::map<int, uint64_t> handles;
    bool done = false;    // our dump's NLMSG_DONE came
    bool complete = true; // every table of that name had a handle
};

int on_dump_done(nl_msg* msg, void* arg) {
    auto* d = static_cast<TableDump*>(arg);
    if (nlmsg_hdr(msg)->nlmsg_seq == d->seq)
        d->done = true;
    return NL_STOP;
}

int on_table(nl_msg* msg, void* arg) {
    auto* d = static_cast<TableDump*>(arg);
    nlmsghdr* h = nlmsg_hdr(msg);
    if (h->nlmsg_seq != d->seq || h->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWTABLE))
        return NL_SKIP;
    static struct Policy {
        nla_policy at[NFTA_TABLE_MAX + 1]{};
        Policy() {
            at[NFTA_TABLE_NAME].type = NLA_STRING;
            at[NFTA_TABLE_HANDLE].type = NLA_U64;
        }
    } policy;
    nlattr* tb[NFTA_TABLE_MAX + 1];
    if (nlmsg_parse(h, sizeof(nfgenmsg), tb, NFTA_TABLE_MAX, policy.at) != 0 ||
        !tb[NFTA_TABLE_NAME] || nla_get_string(tb[NFTA_TABLE_NAME]) != *d->name)
        return NL_OK;
    if (!tb[NFTA_TABLE_HANDLE]) { // a kernel that does not number tables: no answer
        d->complete = false;
        return NL_OK;
    }
    auto* g = static_cast<nfgenmsg*>(nlmsg_data(h));
    d->handles[g->nfgen_family] = be64toh(nla_get_u64(tb[NFTA_TABLE_HANDLE]));
    return NL_OK;
}

int on_reply(nl_msg* msg, void* arg) {
    auto* p = static_cast<Pending*>(arg);
    const nlmsghdr* h = nlmsg_hdr(msg);
    // Only the answer to this request: one left from an earlier request would be an old number.
    if (h->nlmsg_seq != p->seq || h->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN))
        return NL_SKIP;
    static const struct Policy {
        nla_policy at[NFTA_GEN_MAX + 1]{};
        Policy() { at[NFTA_GEN_ID].type = NLA_U32; }
    } policy;
    nlattr* tb[NFTA_GEN_MAX + 1];
    if (nlmsg_parse(nlmsg_hdr(msg), sizeof(nfgenmsg), tb, NFTA_GEN_MAX, policy.at) == 0 &&
        tb[NFTA_GEN_ID])
        p->generation = ntohl(nla_get_u32(tb[NFTA_GEN_ID])); // sent in network order
    return NL_OK;
}

} // namespace

RulesetGeneration::RulesetGeneration() {
    sock_ = nl_socket_alloc();
    cb_ = nl_cb_alloc(NL_CB_DEFAULT);
    if (!sock_ || !cb_ || nl_connect(sock_, NETLINK_NETFILTER) != 0) {
        close();
        return;
    }
    // One reply per request, no ACK after it (on_reply checks the sequence number instead),
    // and never a wait longer than a second on the daemon's one thread.
    nl_socket_disable_auto_ack(sock_);
    timeval limit{1, 0};
    setsockopt(nl_socket_get_fd(sock_), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
}

RulesetGeneration::~RulesetGeneration() {
    close();
}

void RulesetGeneration::close() {
    if (sock_)
        nl_socket_free(sock_);
    if (cb_)
        nl_cb_put(cb_);
    sock_ = nullptr;
    cb_ = nullptr;
}

// Sends an nf_tables request for every family; its sequence number, nullopt if not sent.
std::optional<uint32_t> RulesetGeneration::send(int type, int flags) {
    if (!sock_)
        return std::nullopt;
    nl_msg* msg = nlmsg_alloc_simple((NFNL_SUBSYS_NFTABLES << 8) | type, NLM_F_REQUEST | flags);
    if (!msg)
        return std::nullopt;
    nfgenmsg hdr{};
    hdr.nfgen_family = AF_UNSPEC;
    hdr.version = NFNETLINK_V0;
    bool sent =
        nlmsg_append(msg, &hdr, sizeof hdr, NLMSG_ALIGNTO) == 0 && nl_send_auto(sock_, msg) >= 0;
    uint32_t seq = nlmsg_hdr(msg)->nlmsg_seq; // set by nl_send_auto
    nlmsg_free(msg);
    return sent ? std::optional<uint32_t>(seq) : std::nullopt;
}

std::optional<std::map<int, uint64_t>> RulesetGeneration::table_handles(const std::string& name) {
    auto seq = send(NFT_MSG_GETTABLE, NLM_F_DUMP);
    if (!seq)
        return std::nullopt;
    TableDump d{*seq, &name, {}};
    nl_cb_set(cb_, NL_CB_VALID, NL_CB_CUSTOM, on_table, &d);
    nl_cb_set(cb_, NL_CB_FINISH, NL_CB_CUSTOM, on_dump_done, &d);
    // Our dump to its end (our NLMSG_DONE; what is left of an earlier request may come
    // first); an error, an interrupted dump or the receive timeout ends it without an answer.
    int rc = 0;
    for (int i = 0; i < 4 && !d.done && rc >= 0; ++i)
        rc = nl_recvmsgs(sock_, cb_);
    nl_cb_set(cb_, NL_CB_FINISH, NL_CB_DEFAULT, nullptr, nullptr);
    if (rc < 0 || !d.done || !d.complete)
        return std::nullopt;
    return d.handles;
}

std::optional<uint32_t> RulesetGeneration::read() {
    auto seq = send(NFT_MSG_GETGEN, 0);
    if (!seq)
        return std::nullopt;
    Pending p{*seq, std::nullopt};
    nl_cb_set(cb_, NL_CB_VALID, NL_CB_CUSTOM, on_reply, &p);
    // A stale reply or two may come first; an error or the receive timeout ends it.
    for (int i = 0; i < 4 && !p.generation; ++i)
        if (nl_recvmsgs(sock_, cb_) < 0)
            return std::nullopt;
    return p.generation;
}

} // namespace lvsd::director::dataplane::nft
