#include "director/control/client.h"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

namespace lvsd::director::control {

namespace {

std::string errno_text(int e) {
    return std::error_code(e, std::generic_category()).message();
}

struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0)
            ::close(fd);
    }
};

} // namespace

nlohmann::json request(const std::filesystem::path& socket, const nlohmann::json& req,
                       std::chrono::milliseconds timeout) {
    const std::string path = socket.string();
    const std::string where = "cannot reach lvs-director at " + path + ": ";
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path)
        throw Unreachable(where + "path too long");
    std::memcpy(addr.sun_path, path.c_str(), path.size());

    Fd s{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    if (s.fd < 0)
        throw Unreachable(where + errno_text(errno));
    timeval tv{};
    tv.tv_sec = timeout.count() / 1000;
    tv.tv_usec = (timeout.count() % 1000) * 1000;
    ::setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(s.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        int e = errno;
        std::string hint = e == ENOENT || e == ECONNREFUSED ? " (is lvs-director running?)"
                           : e == EACCES || e == EPERM      ? " (the control socket is for root)"
                                                            : "";
        throw Unreachable(where + errno_text(e) + hint);
    }
    std::string out = req.dump() + "\n";
    for (size_t sent = 0; sent < out.size();) {
        ssize_t n = ::send(s.fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
            break; // a daemon that refuses us answers and hangs up at once: read its answer
        if (n < 0)
            throw Unreachable(where + "sending the request: " + errno_text(errno));
        sent += n;
    }
    std::string in;
    char buf[65536];
    while (in.find('\n') == std::string::npos) {
        ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            throw Unreachable("lvs-director at " + path + " did not answer within " +
                              std::to_string(timeout.count()) + " ms");
        if (n < 0)
            throw Unreachable(where + "reading the reply: " + errno_text(errno));
        if (n == 0)
            break;
        in.append(buf, n);
    }
    if (auto nl = in.find('\n'); nl != std::string::npos)
        in.resize(nl);
    if (in.empty())
        throw Unreachable("lvs-director at " + path + " closed the connection without a reply");
    auto reply = nlohmann::json::parse(in, nullptr, false);
    if (reply.is_discarded() || !reply.is_object())
        throw Unreachable("lvs-director at " + path + " sent a reply that is not a JSON object");
    return reply;
}

} // namespace lvsd::director::control
