#include "director/dataplane/nft/generation.h"

#include <arpa/inet.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <sys/socket.h>

namespace lvsd::director::dataplane::nft {

namespace {

int on_generation(nl_msg* msg, void* arg) {
    nlattr* tb[NFTA_GEN_MAX + 1];
    if (nlmsg_parse(nlmsg_hdr(msg), sizeof(nfgenmsg), tb, NFTA_GEN_MAX, nullptr) == 0 &&
        tb[NFTA_GEN_ID])
        *static_cast<std::optional<uint32_t>*>(arg) = ntohl(nla_get_u32(tb[NFTA_GEN_ID]));
    return NL_OK;
}

} // namespace

RulesetGeneration::RulesetGeneration() {
    sock_ = nl_socket_alloc();
    // One reply per request and no ACK after it: a left-over ACK would be the next reply read.
    if (sock_)
        nl_socket_disable_auto_ack(sock_);
    if (sock_ && nl_connect(sock_, NETLINK_NETFILTER) != 0) {
        nl_socket_free(sock_);
        sock_ = nullptr;
    }
}

RulesetGeneration::~RulesetGeneration() {
    if (sock_)
        nl_socket_free(sock_);
}

std::optional<uint32_t> RulesetGeneration::read() {
    if (!sock_)
        return std::nullopt;
    nl_msg* msg = nlmsg_alloc_simple((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN, NLM_F_REQUEST);
    if (!msg)
        return std::nullopt;
    nfgenmsg hdr{};
    hdr.nfgen_family = AF_UNSPEC;
    hdr.version = NFNETLINK_V0;
    std::optional<uint32_t> generation;
    bool sent =
        nlmsg_append(msg, &hdr, sizeof hdr, NLMSG_ALIGNTO) == 0 && nl_send_auto(sock_, msg) >= 0;
    nlmsg_free(msg);
    if (!sent)
        return std::nullopt;
    nl_cb* cb = nl_cb_alloc(NL_CB_DEFAULT);
    if (!cb)
        return std::nullopt;
    nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_generation, &generation);
    int rc = nl_recvmsgs(sock_, cb);
    nl_cb_put(cb);
    return rc < 0 ? std::nullopt : generation;
}

} // namespace lvsd::director::dataplane::nft
