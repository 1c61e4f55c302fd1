#include "director/notify/script_runner.h"

#include "director/notify/command_line.h"
#include "director/notify/script_identity.h"
#include "director/notify/script_security.h"
#include "log/log.h"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace {
// glibc 2.36's <sys/pidfd.h> lacks extern "C", so C++ cannot link its wrapper: the raw syscall.
int pidfd_open(pid_t pid, unsigned flags) {
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, flags));
}
} // namespace

namespace lvsd::director::notify {

namespace asio = boost::asio;

std::string describe(const ExitStatus& s) {
    switch (s.kind) {
    case ExitStatus::Kind::exited:
        return "exited with status " + std::to_string(s.value);
    case ExitStatus::Kind::signaled:
        return std::string("killed by signal ") + ::sigabbrev_np(s.value);
    case ExitStatus::Kind::timed_out:
        return "timed out and was killed";
    case ExitStatus::Kind::failed_to_start:
        return std::string("failed to start: ") + std::strerror(s.value);
    case ExitStatus::Kind::refused:
        return "refused";
    }
    return "?";
}

// Everything the child needs, computed before fork: between fork and exec only
// async-signal-safe calls are allowed.
struct ScriptRunner::Prepared {
    std::string path; // the executable, PATH already searched
    std::vector<std::string> argv;
    Identity identity;
};

struct ScriptRunner::Child {
    Child(asio::io_context& io, int pidfd) : pidfd(io, pidfd), timer(io) {}
    uint64_t id = 0;
    pid_t pid = -1;
    asio::posix::stream_descriptor pidfd;
    int error_pipe = -1; // read end; the child writes errno there if exec fails
    asio::steady_timer timer;
    bool timed_out = false;
    bool orphaned = false; // the runner is gone: no callback
    std::string what;      // for log lines
    Callback done;
};

ScriptRunner::ScriptRunner(asio::io_context& io, config::GlobalDefs global,
                           Clock::duration kill_grace)
    : io_(io), global_(std::move(global)), kill_grace_(kill_grace) {}

ScriptRunner::~ScriptRunner() {
    for (auto& [id, child] : children_) {
        child->orphaned = true;
        ::kill(-child->pid, SIGKILL);
        // Bounded: SIGKILL cannot be caught. By pid, not pidfd: the reactor may have made the
        // pidfd non-blocking, and waitid on it would then not wait. The unreaped child keeps its
        // pid from being reused.
        ::waitpid(child->pid, nullptr, 0);
        child->timer.cancel();
        child->pidfd.close();
        ::close(child->error_pipe);
    }
}

std::variant<ScriptRunner::Prepared, std::string>
ScriptRunner::prepare(const config::Script& script) const {
    auto argv = split_command(script.command);
    if (!argv)
        return "cannot split command '" + script.command + "' (empty or unbalanced quote)";
    auto identity = resolve_identity(script, global_);
    if (auto* err = std::get_if<std::string>(&identity))
        return *err;
    auto path = find_executable(argv->front());
    if (!path)
        return "'" + argv->front() + "' not found in PATH";
    auto& id = std::get<Identity>(identity);
    // keepalived's rule: only scripts that would run as root are checked.
    if (global_.enable_script_security && id.uid == 0) {
        if (auto why = insecure_reason(*path))
            return "enable_script_security: not running " + *path + " as root: " + *why;
    }
    return Prepared{*path, std::move(*argv), std::move(id)};
}

std::optional<std::string> ScriptRunner::check(const config::Script& script) const {
    auto p = prepare(script);
    if (auto* err = std::get_if<std::string>(&p))
        return *err;
    return std::nullopt;
}

namespace {

// The child side of fork: become the script. Only async-signal-safe calls from here to exec.
[[noreturn]] void exec_child(const std::string& path, char* const* argv, const Identity& id,
                             int error_fd) {
    auto fail = [error_fd]() {
        int e = errno;
        [[maybe_unused]] ssize_t n = ::write(error_fd, &e, sizeof e);
        ::_exit(127);
    };
    // Its own process group, so a timeout can kill everything it started.
    ::setpgid(0, 0);
    // Signal state is inherited through exec: give the script a clean one.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig)
        ::sigaction(sig, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // stdin and stdout /dev/null (as keepalived does); stderr stays the daemon's, so a script's
    // complaints reach the journal.
    int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(null_fd, 1) < 0)
        fail();
    // Every other descriptor closes at exec; error_fd too, which tells the parent exec worked.
    if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
        fail();
    if (::geteuid() == 0) {
        if (::setgroups(id.groups.size(), id.groups.data()) != 0 || ::setgid(id.gid) != 0 ||
            ::setuid(id.uid) != 0)
            fail();
    } else if (id.uid != ::geteuid() && ::setuid(id.uid) != 0) {
        fail();
    }
    ::execve(path.c_str(), argv, environ);
    fail();
    ::_exit(127);
}

} // namespace

void ScriptRunner::run(const config::Script& script, const std::vector<std::string>& extra_args,
                       Clock::duration timeout, Callback done) {
    auto fail_later = [this, &done](ExitStatus s) {
        asio::post(io_, [done = std::move(done), s]() { done(s); });
    };
    std::string where = script.where.str();
    auto p = prepare(script);
    if (auto* err = std::get_if<std::string>(&p)) {
        log::error((where.empty() ? "" : where + ": ") + "script not run: " + *err);
        fail_later({ExitStatus::Kind::refused, 0});
        return;
    }
    auto& prep = std::get<Prepared>(p);
    std::vector<std::string> args = prep.argv;
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        int e = errno;
        log::error("script " + script.command + ": pipe: " + std::strerror(e));
        fail_later({ExitStatus::Kind::failed_to_start, e});
        return;
    }
    pid_t pid = ::fork();
    if (pid == 0)
        exec_child(prep.path, argv.data(), prep.identity, pipe_fds[1]);
    int fork_errno = errno;
    ::close(pipe_fds[1]);
    if (pid < 0) {
        ::close(pipe_fds[0]);
        log::error("script " + script.command + ": fork: " + std::strerror(fork_errno));
        fail_later({ExitStatus::Kind::failed_to_start, fork_errno});
        return;
    }
    // Also set from here: the timeout may fire before the child ran its own setpgid.
    ::setpgid(pid, pid);
    int pidfd = pidfd_open(pid, 0);
    if (pidfd < 0) {
        int e = errno;
        // Cannot watch it: end it now rather than leave it unreaped. Bounded: SIGKILL.
        ::kill(-pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        ::close(pipe_fds[0]);
        log::error("script " + script.command + ": pidfd_open: " + std::strerror(e));
        fail_later({ExitStatus::Kind::failed_to_start, e});
        return;
    }
    auto child = std::make_shared<Child>(io_, pidfd);
    child->id = next_id_++;
    child->pid = pid;
    child->error_pipe = pipe_fds[0];
    child->what = script.command;
    child->done = std::move(done);
    children_.emplace(child->id, child);

    child->pidfd.async_wait(asio::posix::stream_descriptor::wait_read,
                            [this, child](const boost::system::error_code& ec) {
                                if (ec || child->orphaned)
                                    return;
                                finish(child);
                            });
    if (timeout > Clock::duration::zero()) {
        child->timer.expires_after(timeout);
        child->timer.async_wait([this, child](const boost::system::error_code& ec) {
            if (ec || child->orphaned)
                return;
            on_timeout(child);
        });
    }
}

void ScriptRunner::on_timeout(const std::shared_ptr<Child>& child) {
    if (!child->timed_out) {
        child->timed_out = true;
        log::warning("script " + child->what + " timed out: SIGTERM to its process group");
        ::kill(-child->pid, SIGTERM);
        child->timer.expires_after(kill_grace_);
        child->timer.async_wait([this, child](const boost::system::error_code& ec) {
            if (ec || child->orphaned)
                return;
            on_timeout(child);
        });
        return;
    }
    // The grace is over and the leader still runs: SIGKILL; its exit then reaches finish().
    ::kill(-child->pid, SIGKILL);
}

void ScriptRunner::finish(const std::shared_ptr<Child>& child) {
    // The leader is a zombie until waitid, so its pid (and so the group id) cannot have been
    // reused: killing the group here reaches only what the script left behind.
    if (child->timed_out)
        ::kill(-child->pid, SIGKILL);
    siginfo_t info{};
    // By pid: it stays ours until reaped. The pidfd only said "it exited".
    int rc = ::waitid(P_PID, static_cast<id_t>(child->pid), &info, WEXITED | WNOHANG);
    int wait_errno = errno;
    if (rc == 0 && info.si_pid == 0) {
        // Spurious wake-up: not exited yet.
        child->pidfd.async_wait(asio::posix::stream_descriptor::wait_read,
                                [this, child](const boost::system::error_code& ec) {
                                    if (ec || child->orphaned)
                                        return;
                                    finish(child);
                                });
        return;
    }
    ExitStatus status;
    int exec_errno = 0;
    if (::read(child->error_pipe, &exec_errno, sizeof exec_errno) ==
        static_cast<ssize_t>(sizeof exec_errno)) {
        status = {ExitStatus::Kind::failed_to_start, exec_errno};
        log::error("script " + child->what + ": " + describe(status));
    } else if (child->timed_out) {
        status = {ExitStatus::Kind::timed_out, 0};
    } else if (rc != 0) {
        // ECHILD: something else in the process reaped it; the status is lost.
        status = {ExitStatus::Kind::failed_to_start, wait_errno};
    } else if (info.si_code == CLD_EXITED) {
        status = {ExitStatus::Kind::exited, info.si_status};
    } else {
        status = {ExitStatus::Kind::signaled, info.si_status};
    }
    child->timer.cancel();
    child->pidfd.close();
    ::close(child->error_pipe);
    children_.erase(child->id);
    if (children_.empty()) {
        for (auto& w : idle_waiters_)
            asio::post(io_, std::move(w));
        idle_waiters_.clear();
    }
    // Last: the callback may start the next script, or destroy this runner.
    child->done(status);
}

void ScriptRunner::when_idle(std::function<void()> f) {
    if (children_.empty())
        asio::post(io_, std::move(f));
    else
        idle_waiters_.push_back(std::move(f));
}

} // namespace lvsd::director::notify
