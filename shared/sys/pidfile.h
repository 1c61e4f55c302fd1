// A daemon's pid file, locked while the daemon lives: refuses to start a second copy, removed
// again at a clean exit.
#pragma once

#include <filesystem>
#include <string>

namespace lvsd::sys {

class PidFile {
public:
    // Throws std::runtime_error when another live process holds the file or it cannot be written.
    explicit PidFile(std::filesystem::path path);
    ~PidFile();
    PidFile(const PidFile&) = delete;
    PidFile& operator=(const PidFile&) = delete;

    // After a fork: the file should name the child (which shares the lock).
    void rewrite();

    // The pid of the live process holding `path`, or 0 when none does (no file, or not locked).
    static int holder(const std::filesystem::path& path);

private:
    std::filesystem::path path_;
    int fd_ = -1;
};

} // namespace lvsd::sys
