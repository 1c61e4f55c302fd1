// Link state changes pushed by the kernel (rtnetlink group RTNLGRP_LINK). The owner watches fd()
// in its event loop and calls drain() when it is readable; no polling.
#pragma once

#include <functional>
#include <set>

struct nl_sock;

namespace lvsd::net {

class LinkMonitor {
public:
    // running: IFF_UP and carrier; a deleted link reports false.
    using Callback = std::function<void(int ifindex, bool running)>;

    LinkMonitor(); // throws NetlinkError
    ~LinkMonitor();
    LinkMonitor(const LinkMonitor&) = delete;
    LinkMonitor& operator=(const LinkMonitor&) = delete;

    int fd() const;
    // Reads every pending notification without blocking. When the kernel dropped notifications
    // (the socket's buffer overran), resyncs before returning.
    void drain(const Callback& cb);
    // Reports every link's current state, and as not running each link reported running before
    // that is gone.
    void resync(const Callback& cb);

private:
    void note(int ifindex, bool running);

    nl_sock* sock_;
    const Callback* cb_ = nullptr; // set only during drain()
    std::set<int> running_;        // links last reported running
};

} // namespace lvsd::net
