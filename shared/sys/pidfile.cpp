#include "sys/pidfile.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lvsd::sys {

// The lock, not the pid written in the file, says whether a copy runs: it goes away with the
// process however that ends (a killed daemon left unreaped still "exists" for kill(pid, 0)).
PidFile::PidFile(std::filesystem::path path) : path_(std::move(path)) {
    std::error_code ec;
    std::filesystem::create_directories(path_.parent_path(), ec);
    // A holder that exits unlinks the file before it lets go of the lock, so a lock won on a file
    // that is no longer at the path is worthless: try again on the new one (bounded).
    for (int attempt = 0; attempt < 10; ++attempt) {
        fd_ = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0)
            throw std::runtime_error("cannot open the pid file " + path_.string() + ": " +
                                     std::strerror(errno));
        if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            close(fd_);
            fd_ = -1;
            int pid = holder(path_);
            throw std::runtime_error("already running as pid " +
                                     (pid > 0 ? std::to_string(pid) : std::string("?")) + " (" +
                                     path_.string() + ")");
        }
        struct stat held {
        }, named{};
        if (fstat(fd_, &held) == 0 && stat(path_.c_str(), &named) == 0 &&
            held.st_dev == named.st_dev && held.st_ino == named.st_ino) {
            rewrite();
            return;
        }
        close(fd_);
        fd_ = -1;
    }
    throw std::runtime_error("cannot take the pid file " + path_.string() +
                             ": it keeps being replaced");
}

int PidFile::holder(const std::filesystem::path& path) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    int pid = 0;
    if (flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
        // A new holder has the lock a moment before it writes its pid: wait for it (bounded).
        for (int tries = 0; tries < 100 && pid <= 0; ++tries) {
            char buf[32] = {};
            if (pread(fd, buf, sizeof buf - 1, 0) > 0)
                pid = std::atoi(buf);
            if (pid <= 0)
                usleep(2000);
        }
    }
    close(fd);
    return pid > 0 ? pid : 0;
}

PidFile::~PidFile() {
    if (fd_ < 0)
        return;
    std::error_code ec;
    std::filesystem::remove(path_, ec);
    close(fd_);
}

void PidFile::rewrite() {
    // Written before the truncation, so a reader never finds the file empty.
    std::string text = std::to_string(getpid()) + "\n";
    if (pwrite(fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()) ||
        ftruncate(fd_, static_cast<off_t>(text.size())) != 0)
        throw std::runtime_error("cannot write the pid file " + path_.string() + ": " +
                                 std::strerror(errno));
}

} // namespace lvsd::sys
