#include "director/notify/script_security.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace lvsd::director::notify {

namespace {

// One component: `st` from lstat, so a symlink is judged as the entry it is (its target is
// checked separately on the resolved path).
std::optional<std::string> unsafe_entry(const std::string& p, const struct stat& st) {
    if (S_ISLNK(st.st_mode))
        return st.st_uid != 0 ? std::optional<std::string>(p + " is a symlink owned by uid " +
                                                           std::to_string(st.st_uid))
                              : std::nullopt;
    if (st.st_uid != 0)
        return p + " is owned by uid " + std::to_string(st.st_uid);
    if ((st.st_mode & S_IWGRP) && st.st_gid != 0)
        return p + " is writable by group " + std::to_string(st.st_gid);
    bool sticky_dir = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX);
    if ((st.st_mode & S_IWOTH) && !sticky_dir)
        return p + " is writable by everyone";
    return std::nullopt;
}

std::optional<std::string> check_chain(const std::filesystem::path& path) {
    for (std::filesystem::path p = path;; p = p.parent_path()) {
        struct stat st {};
        if (::lstat(p.c_str(), &st) != 0)
            return "cannot stat " + p.string() + ": " + std::strerror(errno);
        if (auto why = unsafe_entry(p.string(), st))
            return why;
        if (p == p.parent_path())
            return std::nullopt;
    }
}

} // namespace

std::optional<std::string> find_executable(const std::string& argv0) {
    if (argv0.find('/') != std::string::npos)
        return argv0;
    const char* path_env = std::getenv("PATH");
    std::string path = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find(':', start);
        if (end == std::string::npos)
            end = path.size();
        std::string dir = path.substr(start, end - start);
        std::string candidate = (dir.empty() ? "." : dir) + "/" + argv0;
        if (::access(candidate.c_str(), X_OK) == 0)
            return candidate;
        start = end + 1;
    }
    return std::nullopt;
}

std::optional<std::string> insecure_reason(const std::string& path) {
    std::error_code ec;
    std::filesystem::path as_given = std::filesystem::absolute(path, ec);
    if (ec)
        return "cannot resolve " + path + ": " + ec.message();
    if (auto why = check_chain(as_given.lexically_normal()))
        return why;
    std::filesystem::path resolved = std::filesystem::canonical(as_given, ec);
    if (ec)
        return "cannot resolve " + path + ": " + ec.message();
    return check_chain(resolved);
}

} // namespace lvsd::director::notify
