// The shared key for readiness reports: a file of at least 16 bytes (for example 32 random bytes
// from `head -c 32 /dev/urandom`), readable by root only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace lvsd::agent {

// Throws std::runtime_error naming the file and what is wrong with it.
std::vector<uint8_t> load_key(const std::filesystem::path& path);

} // namespace lvsd::agent
