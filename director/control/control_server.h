// The director's local control socket (AF_UNIX stream, mode 0600, root only), on the daemon's
// event loop: each line a client sends is one JSON request, answered with one JSON line by the
// handler the daemon gives (see commands.h for the requests `lvsctl` sends).
//
// Never blocks the loop: every read and write is asynchronous. A line longer than
// max_request_bytes gets an error reply and the connection is closed; a line that is not JSON
// gets an error reply and the connection stays open. A peer whose uid (SO_PEERCRED) is not 0 gets
// one error reply and is disconnected.
//
//   control::ControlServer control(io_, "/run/lvsd/director.sock", control::make_handler(srcs));
//   control.start(); // throws std::runtime_error (another director listens there, bind fails)
#pragma once

#include "director/control/commands.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <set>

namespace lvsd::director::control {

struct ControlServerOptions {
    size_t max_request_bytes = 64 * 1024;
    size_t max_connections = 16; // more are accepted and closed at once
};

class ControlServer {
public:
    ControlServer(boost::asio::io_context& io, std::filesystem::path path, Handler handler,
                  ControlServerOptions options = {});
    ~ControlServer(); // stop()
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    // Creates the parent directory (0755) if needed, replaces a stale socket file (one nobody
    // listens on), binds with mode 0600 and starts accepting. Throws std::runtime_error naming
    // the path when another process listens there or the socket cannot be made.
    void start();
    // Stops accepting, closes every connection and removes the socket file (if still ours).
    void stop();

    const std::filesystem::path& path() const { return path_; }
    size_t connections() const;

    class Session; // one client connection (control_server.cpp)

private:
    void accept();

    boost::asio::io_context& io_;
    std::filesystem::path path_;
    std::shared_ptr<const Handler> handler_;
    ControlServerOptions options_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    boost::asio::steady_timer retry_; // after a failed accept (EMFILE...), not to spin
    std::shared_ptr<char> alive_ = std::make_shared<char>(); // pending handlers check it
    std::shared_ptr<std::set<Session*>> sessions_; // shared with the sessions, which outlive us
    bool running_ = false;
    ino_t inode_ = 0; // the socket file we made, to remove only ours
};

// The control socket's default path: /run/lvsd/director.sock, or with the network namespace's
// tag inside another one (/run/lvsd/director.netns4026532545.sock), as the daemon's other files.
std::string default_socket_path();

// True when a process accepts connections on the AF_UNIX stream socket at `path`.
bool someone_listens(const std::filesystem::path& path);

} // namespace lvsd::director::control
