// A generic netlink socket bound to one family (RAII over libnl-genl-3): builds requests, sends
// them, and reads every reply up to the kernel's acknowledgement, so that no stale ACK is left
// behind to be mistaken for the answer to the next request.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

struct nl_sock;
struct nl_msg;
struct nlattr;

namespace lvsd::director::dataplane::ipvs {

// A request the kernel (or libnl) refused: what was asked and why.
class GenlError : public std::runtime_error {
public:
    GenlError(const std::string& what, int error);
    int error() const { return error_; } // the kernel's errno (positive), or EIO for libnl faults

private:
    int error_;
};

struct MsgDeleter {
    void operator()(nl_msg* m) const;
};
using Message = std::unique_ptr<nl_msg, MsgDeleter>;

class GenlSocket {
public:
    // Resolves `family` (loading its module on demand, as the kernel does for "IPVS").
    explicit GenlSocket(const std::string& family);
    ~GenlSocket();
    GenlSocket(const GenlSocket&) = delete;
    GenlSocket& operator=(const GenlSocket&) = delete;

    // A request for `cmd`; `dump` asks for every object (NLM_F_DUMP).
    Message message(uint8_t cmd, bool dump = false) const;

    // Each reply's attributes, indexed by type up to `maxattr` (absent: nullptr).
    using Handler = std::function<void(nlattr** attrs)>;

    // Sends and waits until the request is answered: for each reply message `on_reply` is
    // called; returns 0 or the kernel's errno (positive). Throws GenlError on socket faults.
    int request(Message msg, int maxattr = 0, const Handler& on_reply = {});

    int family_id() const { return family_; }

private:
    nl_sock* sock_;
    int family_ = 0;
    uint8_t version_ = 1;
};

} // namespace lvsd::director::dataplane::ipvs
