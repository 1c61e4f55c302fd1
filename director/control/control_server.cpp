#include "director/control/control_server.h"

#include "sys/run_name.h"

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <istream>
#include <optional>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace lvsd::director::control {

namespace asio = boost::asio;
using stream = asio::local::stream_protocol;
using nlohmann::json;

namespace {

std::string errno_text(int e) {
    return std::error_code(e, std::generic_category()).message();
}

std::string line_of(const json& reply) {
    // replace: a handler's invalid UTF-8 must not throw here
    return reply.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

} // namespace

class ControlServer::Session : public std::enable_shared_from_this<Session> {
public:
    Session(stream::socket socket, std::shared_ptr<const Handler> handler, size_t max_bytes,
            std::shared_ptr<std::set<Session*>> registry)
        : socket_(std::move(socket)), handler_(std::move(handler)), in_(max_bytes),
          registry_(std::move(registry)) {
        registry_->insert(this);
    }
    ~Session() { registry_->erase(this); }

    // refusal: answer it once and hang up instead of serving requests.
    void start(const std::optional<std::string>& refusal) {
        if (refusal)
            send(error_reply(*refusal), true);
        else
            read();
    }

    void close() {
        boost::system::error_code ignored;
        socket_.shutdown(stream::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }

private:
    void read() {
        asio::async_read_until(socket_, in_, '\n',
                               [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                                   self->on_read(ec, n);
                               });
    }

    void on_read(boost::system::error_code ec, size_t n) {
        if (ec == asio::error::not_found) { // the line does not fit in max_bytes
            send(error_reply("request too long (at most " + std::to_string(in_.max_size()) +
                             " bytes per line)"),
                 true);
            return;
        }
        if (ec == asio::error::eof && in_.size() > 0) { // a last request without its newline
            answer(take(in_.size()), true);
            return;
        }
        if (ec)
            return; // closed, reset or stopped: the session ends with its last reference
        answer(take(n), false);
    }

    std::string take(size_t n) {
        std::string line(asio::buffers_begin(in_.data()), asio::buffers_begin(in_.data()) + n);
        in_.consume(n);
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
            line.pop_back();
        return line;
    }

    void answer(const std::string& line, bool then_close) {
        if (line.find_first_not_of(" \t") == std::string::npos) { // blank: not a request
            if (then_close)
                close();
            else
                read();
            return;
        }
        json request = json::parse(line, nullptr, false);
        json reply;
        if (request.is_discarded()) {
            reply = error_reply("malformed JSON request");
        } else {
            try {
                reply = (*handler_)(request);
            } catch (const std::exception& e) {
                reply = error_reply(e.what());
            } catch (...) {
                reply = error_reply("the request failed");
            }
        }
        send(reply, then_close);
    }

    void send(const json& reply, bool then_close) {
        out_ = line_of(reply);
        asio::async_write(
            socket_, asio::buffer(out_),
            [self = shared_from_this(), then_close](boost::system::error_code ec, size_t) {
                if (ec)
                    return;
                if (then_close)
                    self->close();
                else
                    self->read();
            });
    }

    stream::socket socket_;
    std::shared_ptr<const Handler> handler_;
    asio::streambuf in_;
    std::string out_;
    std::shared_ptr<std::set<Session*>> registry_;
};

bool someone_listens(const std::filesystem::path& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.native().size() >= sizeof addr.sun_path)
        return false;
    std::memcpy(addr.sun_path, path.c_str(), path.native().size());
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return true; // cannot tell: leave the file alone
    int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    int err = errno;
    ::close(fd);
    if (rc == 0)
        return true;
    // EAGAIN: a listener whose backlog is full; EACCES and the rest: cannot tell, so yes.
    return err != ECONNREFUSED && err != ENOENT;
}

ControlServer::ControlServer(asio::io_context& io, std::filesystem::path path, Handler handler,
                             ControlServerOptions options)
    : io_(io), path_(std::move(path)),
      handler_(std::make_shared<const Handler>(std::move(handler))), options_(options),
      acceptor_(io), retry_(io), sessions_(std::make_shared<std::set<Session*>>()) {}

ControlServer::~ControlServer() {
    stop();
    alive_.reset();
}

std::string default_socket_path() {
    return sys::per_netns_name("/run/lvsd/director", ".sock");
}

size_t ControlServer::connections() const {
    return sessions_->size();
}

void ControlServer::start() {
    if (running_)
        return;
    const std::string p = path_.string();
    if (p.size() >= sizeof(sockaddr_un{}.sun_path))
        throw std::runtime_error("control socket " + p + ": path too long");
    std::error_code ec;
    if (path_.has_parent_path() && !std::filesystem::exists(path_.parent_path(), ec)) {
        std::filesystem::create_directories(path_.parent_path(), ec);
        if (ec)
            throw std::runtime_error("control socket " + p + ": cannot create " +
                                     path_.parent_path().string() + ": " + ec.message());
        ::chmod(path_.parent_path().c_str(), 0755);
    }
    struct stat st {};
    if (::lstat(p.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            throw std::runtime_error("control socket " + p + ": exists and is not a socket");
        if (someone_listens(path_))
            throw std::runtime_error("control socket " + p +
                                     ": another process listens on it (is lvs-director already "
                                     "running?)");
        if (::unlink(p.c_str()) != 0 && errno != ENOENT)
            throw std::runtime_error("control socket " + p +
                                     ": cannot remove the stale socket: " + errno_text(errno));
    }
    boost::system::error_code bec;
    acceptor_.open(stream(), bec);
    if (!bec)
        acceptor_.bind(stream::endpoint(p), bec);
    if (bec) {
        acceptor_.close();
        throw std::runtime_error("control socket " + p + ": " + bec.message());
    }
    // Connecting needs write permission on the file: with 0600 only root gets through; the
    // SO_PEERCRED check below turns away whoever else holds CAP_DAC_OVERRIDE.
    if (::chmod(p.c_str(), 0600) != 0 || ::lstat(p.c_str(), &st) != 0) {
        int e = errno;
        acceptor_.close();
        ::unlink(p.c_str());
        throw std::runtime_error("control socket " + p + ": " + errno_text(e));
    }
    inode_ = st.st_ino;
    acceptor_.listen(asio::socket_base::max_listen_connections, bec);
    if (bec) {
        acceptor_.close();
        ::unlink(p.c_str());
        throw std::runtime_error("control socket " + p + ": listen: " + bec.message());
    }
    acceptor_.non_blocking(true);
    running_ = true;
    accept();
}

void ControlServer::accept() {
    acceptor_.async_accept([this, alive = std::weak_ptr<char>(alive_)](boost::system::error_code ec,
                                                                       stream::socket socket) {
        if (alive.expired() || ec == asio::error::operation_aborted || !running_)
            return;
        if (ec) { // EMFILE and the like pass: try again a little later
            retry_.expires_after(std::chrono::milliseconds(100));
            retry_.async_wait([this, alive](boost::system::error_code tec) {
                if (!alive.expired() && !tec && running_)
                    accept();
            });
            return;
        }
        {
            std::optional<std::string> refusal;
            ucred cred{};
            socklen_t len = sizeof cred;
            if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
                refusal = "cannot tell who you are (SO_PEERCRED: " + errno_text(errno) + ")";
            else if (cred.uid != 0)
                refusal = "permission denied: lvs-director's control socket is for root only "
                          "(uid " +
                          std::to_string(cred.uid) + ")";
            else if (sessions_->size() >= options_.max_connections)
                refusal = "too many control connections (" +
                          std::to_string(options_.max_connections) + "); try again";
            auto session = std::make_shared<Session>(std::move(socket), handler_,
                                                     options_.max_request_bytes, sessions_);
            session->start(refusal);
        }
        accept();
    });
}

void ControlServer::stop() {
    if (!running_)
        return;
    running_ = false;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    retry_.cancel();
    auto open = *sessions_; // close() does not destroy, but do not iterate what may change
    for (Session* s : open)
        s->close();
    struct stat st {};
    if (::lstat(path_.c_str(), &st) == 0 && st.st_ino == inode_)
        ::unlink(path_.c_str());
}

} // namespace lvsd::director::control
