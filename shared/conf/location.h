// A place in a configuration file, kept on every token so that messages can name it.
#pragma once

#include <memory>
#include <string>

namespace lvsd::conf {

struct Location {
    std::shared_ptr<const std::string> file; // shared: thousands of tokens point at one name
    int line = 0;                            // 1-based; 0 when the value came from the command line
    int col = 0;                             // 1-based

    std::string str() const;
};

} // namespace lvsd::conf
