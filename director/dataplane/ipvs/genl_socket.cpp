#include "director/dataplane/ipvs/genl_socket.h"

#include <cerrno>
#include <cstring>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <vector>

namespace lvsd::director::dataplane::ipvs {

GenlError::GenlError(const std::string& what, int error)
    : std::runtime_error(what + ": " + std::strerror(error)), error_(error) {}

void MsgDeleter::operator()(nl_msg* m) const {
    nlmsg_free(m);
}

namespace {

struct CbDeleter {
    void operator()(nl_cb* c) const { nl_cb_put(c); }
};

// What one request's replies amount to.
struct Exchange {
    int maxattr = 0;
    const GenlSocket::Handler* on_reply = nullptr;
    bool done = false;
    int error = 0; // errno from the kernel's NLMSG_ERROR
    std::vector<nlattr*> attrs;
};

int on_valid(nl_msg* msg, void* arg) {
    auto* x = static_cast<Exchange*>(arg);
    if (!x->on_reply || !*x->on_reply)
        return NL_OK;
    x->attrs.assign(x->maxattr + 1, nullptr);
    if (genlmsg_parse(nlmsg_hdr(msg), 0, x->attrs.data(), x->maxattr, nullptr) < 0)
        return NL_SKIP;
    // A single (not multipart) reply is followed by its ACK: request() keeps reading.
    (*x->on_reply)(x->attrs.data());
    return NL_OK;
}

int on_finish(nl_msg*, void* arg) {
    static_cast<Exchange*>(arg)->done = true;
    return NL_STOP;
}

int on_ack(nl_msg*, void* arg) {
    static_cast<Exchange*>(arg)->done = true;
    return NL_STOP;
}

int on_error(sockaddr_nl*, nlmsgerr* e, void* arg) {
    auto* x = static_cast<Exchange*>(arg);
    x->error = -e->error;
    x->done = true;
    return NL_STOP;
}

} // namespace

GenlSocket::GenlSocket(const std::string& family) : sock_(nl_socket_alloc()) {
    if (!sock_)
        throw std::bad_alloc();
    // ACKs are asked for explicitly on requests that are not dumps (a dump ends with DONE).
    nl_socket_disable_auto_ack(sock_);
    // A dump's datagrams may outgrow libnl's default buffer: peek at each one's size first.
    nl_socket_enable_msg_peek(sock_);
    int rc = genl_connect(sock_);
    if (rc >= 0)
        rc = genl_ctrl_resolve(sock_, family.c_str());
    if (rc < 0) {
        nl_socket_free(sock_);
        int err = rc == -NLE_OBJ_NOTFOUND ? ENOENT : rc == -NLE_PERM ? EPERM : EIO;
        throw GenlError("generic netlink family " + family + " (" + nl_geterror(rc) + ")", err);
    }
    family_ = rc;
}

GenlSocket::~GenlSocket() {
    nl_socket_free(sock_);
}

Message GenlSocket::message(uint8_t cmd, bool dump) const {
    Message m(nlmsg_alloc());
    if (!m)
        throw std::bad_alloc();
    if (!genlmsg_put(m.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family_, 0, dump ? NLM_F_DUMP : NLM_F_ACK,
                     cmd, version_))
        throw std::bad_alloc();
    return m;
}

int GenlSocket::request(Message msg, int maxattr, const Handler& on_reply) {
    Exchange x;
    x.maxattr = maxattr;
    x.on_reply = &on_reply;
    std::unique_ptr<nl_cb, CbDeleter> cb(nl_cb_alloc(NL_CB_DEFAULT));
    if (!cb)
        throw std::bad_alloc();
    nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, on_valid, &x);
    nl_cb_set(cb.get(), NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &x);
    nl_cb_set(cb.get(), NL_CB_ACK, NL_CB_CUSTOM, on_ack, &x);
    nl_cb_err(cb.get(), NL_CB_CUSTOM, on_error, &x);

    int rc = nl_send_auto(sock_, msg.get());
    if (rc < 0)
        throw GenlError(std::string("netlink send (") + nl_geterror(rc) + ")", EIO);
    while (!x.done) {
        rc = nl_recvmsgs(sock_, cb.get());
        if (x.error)
            return x.error;
        if (rc < 0)
            throw GenlError(std::string("netlink receive (") + nl_geterror(rc) + ")", EIO);
    }
    return 0;
}

} // namespace lvsd::director::dataplane::ipvs
