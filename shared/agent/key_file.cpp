#include "agent/key_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace lvsd::agent {

std::vector<uint8_t> load_key(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error(path.string() +
                                 ": cannot read the agent key: " + std::strerror(errno));
    std::vector<uint8_t> key((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
    // A trailing newline from `echo` is not part of a typed key.
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r'))
        key.pop_back();
    if (key.size() < 16)
        throw std::runtime_error(path.string() + ": the agent key is " +
                                 std::to_string(key.size()) +
                                 " bytes; it needs at least 16 (head -c 32 /dev/urandom > FILE)");
    return key;
}

} // namespace lvsd::agent
