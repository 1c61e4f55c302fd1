#include "net/link_monitor.h"

#include "log/log.h"
#include "net/route_socket.h"

#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

namespace lvsd::net {

namespace {

struct Event {
    const LinkMonitor::Callback* cb;
    bool deleted;
};

void on_object(nl_object* obj, void* arg) {
    auto* ev = static_cast<Event*>(arg);
    auto* link = reinterpret_cast<rtnl_link*>(obj);
    unsigned flags = rtnl_link_get_flags(link);
    bool running = !ev->deleted && (flags & IFF_UP) && (flags & IFF_RUNNING);
    (*ev->cb)(rtnl_link_get_ifindex(link), running);
}

} // namespace

static int on_message(nl_msg* msg, void* arg) {
    auto* cb = *static_cast<const LinkMonitor::Callback**>(arg);
    if (!cb)
        return NL_OK;
    Event ev{cb, nlmsg_hdr(msg)->nlmsg_type == RTM_DELLINK};
    nl_msg_parse(msg, on_object, &ev);
    return NL_OK;
}

LinkMonitor::LinkMonitor() : sock_(nl_socket_alloc()) {
    if (!sock_)
        throw std::bad_alloc();
    // Notifications carry no sequence numbers we asked for.
    nl_socket_disable_seq_check(sock_);
    nl_socket_modify_cb(sock_, NL_CB_VALID, NL_CB_CUSTOM, on_message, &cb_);
    int rc = nl_connect(sock_, NETLINK_ROUTE);
    if (rc >= 0)
        rc = nl_socket_add_membership(sock_, RTNLGRP_LINK);
    if (rc >= 0)
        rc = nl_socket_set_nonblocking(sock_);
    if (rc < 0) {
        nl_socket_free(sock_);
        throw NetlinkError("cannot watch links", rc);
    }
}

LinkMonitor::~LinkMonitor() {
    nl_socket_free(sock_);
}

int LinkMonitor::fd() const {
    return nl_socket_get_fd(sock_);
}

void LinkMonitor::note(int ifindex, bool running) {
    if (running)
        running_.insert(ifindex);
    else
        running_.erase(ifindex);
}

void LinkMonitor::drain(const Callback& cb) {
    Callback noted = [&](int ifindex, bool running) {
        note(ifindex, running);
        cb(ifindex, running);
    };
    cb_ = &noted;
    bool overrun = false;
    // Bounded: a burst larger than this is picked up on the next readiness.
    for (int i = 0; i < 64; ++i) {
        int rc = nl_recvmsgs_default(sock_);
        if (rc == -NLE_NOMEM) { // ENOBUFS: the kernel dropped notifications; reading goes on
            overrun = true;
            continue;
        }
        if (rc < 0)
            break; // -NLE_AGAIN: nothing more
    }
    cb_ = nullptr;
    if (!overrun)
        return;
    try {
        resync(cb);
    } catch (const std::exception& e) {
        log::warning(std::string("link notifications were lost and ") + e.what());
    }
}

void LinkMonitor::resync(const Callback& cb) {
    nl_sock* s = nl_socket_alloc();
    if (!s)
        throw std::bad_alloc();
    nl_cache* cache = nullptr;
    int rc = nl_connect(s, NETLINK_ROUTE);
    if (rc >= 0)
        rc = rtnl_link_alloc_cache(s, AF_UNSPEC, &cache);
    nl_socket_free(s);
    if (rc < 0)
        throw NetlinkError("cannot read the links", rc);
    std::set<int> gone = running_;
    Callback noted = [&](int ifindex, bool running) {
        gone.erase(ifindex);
        note(ifindex, running);
        cb(ifindex, running);
    };
    Event ev{&noted, false};
    for (nl_object* o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o))
        on_object(o, &ev);
    nl_cache_free(cache);
    for (int ifindex : gone) {
        note(ifindex, false);
        cb(ifindex, false);
    }
}

} // namespace lvsd::net
