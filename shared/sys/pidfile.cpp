#include "sys/pidfile.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <string>
#include <sys/file.h>
#include <unistd.h>

namespace lvsd::sys {

// The lock, not the pid written in the file, says whether a copy runs: it goes away with the
// process however that ends (a killed daemon left unreaped still "exists" for kill(pid, 0)).
PidFile::PidFile(std::filesystem::path path) : path_(std::move(path)) {
    std::error_code ec;
    std::filesystem::create_directories(path_.parent_path(), ec);
    fd_ = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
        throw std::runtime_error("cannot open the pid file " + path_.string() + ": " +
                                 std::strerror(errno));
    if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        char buf[32] = {};
        ssize_t n = pread(fd_, buf, sizeof buf - 1, 0);
        close(fd_);
        fd_ = -1;
        std::string pid = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "?";
        while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' '))
            pid.pop_back();
        throw std::runtime_error("already running as pid " + pid + " (" + path_.string() + ")");
    }
    rewrite();
}

int PidFile::holder(const std::filesystem::path& path) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    int pid = 0;
    if (flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
        char buf[32] = {};
        if (pread(fd, buf, sizeof buf - 1, 0) > 0)
            pid = std::atoi(buf);
    }
    close(fd);
    return pid;
}

PidFile::~PidFile() {
    if (fd_ < 0)
        return;
    std::error_code ec;
    std::filesystem::remove(path_, ec);
    close(fd_);
}

void PidFile::rewrite() {
    std::string text = std::to_string(getpid()) + "\n";
    if (ftruncate(fd_, 0) != 0 ||
        pwrite(fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
        throw std::runtime_error("cannot write the pid file " + path_.string() + ": " +
                                 std::strerror(errno));
}

} // namespace lvsd::sys
