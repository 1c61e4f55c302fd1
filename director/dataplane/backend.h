// What every dataplane backend offers (kernel IPVS now, nftables later): read the table it holds
// and apply diff() ops to it. reconcile() is the director's one call: desired → kernel.
#pragma once

#include "director/dataplane/diff.h"
#include "director/dataplane/table.h"

#include <string>
#include <vector>

namespace lvsd::director::dataplane {

// An op the backend refused, with the service it belongs to.
struct ApplyError {
    Op op;
    int error = 0;           // errno
    std::string str() const; // "TCP 10.0.0.1:80: add service TCP 10.0.0.1:80 nosuch: <strerror>"
};

struct ApplyResult {
    std::vector<Op> ops; // what was asked, in order
    size_t applied = 0;
    std::vector<ApplyError> errors;
    std::vector<Op> skipped; // destinations of a service the backend refused to add
};

class Backend {
public:
    virtual ~Backend() = default;
    virtual Table read_table() = 0;
    // Each op on its own: a refused op is reported and the rest continue.
    virtual ApplyResult apply(const std::vector<Op>& ops) = 0;
};

// Reads the backend's table and applies the difference to `desired`; no op when they agree.
ApplyResult reconcile(Backend& backend, const Table& desired);

} // namespace lvsd::director::dataplane
