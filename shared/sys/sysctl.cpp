#include "sys/sysctl.h"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <system_error>

namespace lvsd::sys {

std::string sysctl_path(const std::string& dotted) {
    std::string p = dotted;
    for (char& c : p)
        c = c == '.' ? '/' : c == '/' ? '.' : c;
    return "/proc/sys/" + p;
}

std::string sysctl_name_part(const std::string& part) {
    std::string p = part;
    std::replace(p.begin(), p.end(), '.', '/');
    return p;
}

std::optional<std::string> sysctl_read(const std::string& dotted) {
    std::ifstream in(sysctl_path(dotted));
    if (!in)
        return std::nullopt;
    std::string v;
    std::getline(in, v);
    return v;
}

void sysctl_write(const std::string& dotted, const std::string& value) {
    std::ofstream out(sysctl_path(dotted));
    if (out)
        out << value << '\n';
    out.flush();
    if (!out)
        throw std::system_error(errno, std::generic_category(), "cannot set " + dotted);
}

} // namespace lvsd::sys
