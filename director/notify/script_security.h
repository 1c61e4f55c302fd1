// enable_script_security: keepalived refuses to run a script as root when a non-root user could
// change what runs, i.e. when the file or any directory on its path is writable by non-root.
#pragma once

#include <optional>
#include <string>

namespace lvsd::director::notify {

// The executable a command's argv[0] names: as is when it holds a '/', else searched in PATH
// (as execvp will). nullopt when it is not found.
std::optional<std::string> find_executable(const std::string& argv0);

// Why `path` is unsafe to run as root, or nullopt when it is safe. Checks the file and every
// directory up to /, for the path as given and for the path with symlinks resolved. A component
// is unsafe when its owner is not root (the owner can chmod it), when it is group-writable by a
// group other than root, or world-writable — except a directory with the sticky bit (like /tmp),
// where others cannot replace entries they do not own.
std::optional<std::string> insecure_reason(const std::string& path);

} // namespace lvsd::director::notify
