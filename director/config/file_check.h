// FILE_CHECK: a number written in a file (by another program) sets the server's state or weight.
#pragma once

#include <optional>
#include <string>

namespace lvsd::director::config {

struct FileCheck {
    std::string track_file; // the name of a top-level track_file block
    std::optional<int> weight;
    bool reverse = false;
};

} // namespace lvsd::director::config
