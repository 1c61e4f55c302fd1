#include "director/dataplane/backend.h"

#include <cstring>

namespace lvsd::director::dataplane {

std::string ApplyError::str() const {
    return op.service.key.str() + ": " + op.str() + ": " + std::strerror(error);
}

ApplyResult reconcile(Backend& backend, const Table& desired) {
    auto ops = diff(desired, backend.read_table());
    auto result = backend.apply(ops);
    result.ops = std::move(ops);
    return result;
}

} // namespace lvsd::director::dataplane
