// desired vs actual → the fewest operations that turn actual into desired, in an order the kernel
// accepts: services that go away first (deleting a service takes its destinations with it), then
// each kept service (its edit, its destinations deleted, edited, added), then new services each
// followed by its destinations. Nothing is ever flushed: an unchanged table gives no operation.
#pragma once

#include "director/dataplane/table.h"

#include <optional>
#include <string>
#include <vector>

namespace lvsd::director::dataplane {

enum class OpKind {
    add_service,
    edit_service,
    delete_service,
    add_destination,
    edit_destination,
    delete_destination
};

struct Op {
    OpKind kind;
    Service service;                        // its settings; destinations left empty
    std::optional<Destination> destination; // the *_destination kinds
    std::string str() const; // "add service TCP 10.0.0.1:80 rr", "edit destination ... weight 2"
};

std::vector<Op> diff(const Table& desired, const Table& actual);

std::string str(OpKind k); // "add service", ...

} // namespace lvsd::director::dataplane
