// Runs keepalived-style scripts (notify_*, vrrp_script) as child processes without blocking the
// io_context: fork/exec, then the child's pidfd is watched like any other descriptor. No SIGCHLD
// handler and no threads, so it composes with whatever else the daemon does with signals.
#pragma once

#include "director/config/global_defs.h"
#include "director/config/script.h"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

namespace lvsd::director::notify {

struct ExitStatus {
    enum class Kind {
        exited,          // value: the exit code
        signaled,        // value: the signal that ended it
        timed_out,       // ran past its timeout; its process group was killed
        failed_to_start, // value: errno of the fork/exec/setuid that failed
        refused,         // not run: bad command, unknown user, or enable_script_security
    };
    Kind kind = Kind::exited;
    int value = 0;

    bool success() const { return kind == Kind::exited && value == 0; }
    bool operator==(const ExitStatus&) const = default;
};

std::string describe(const ExitStatus& s);

class ScriptRunner {
public:
    using Clock = std::chrono::steady_clock;
    using Callback = std::function<void(const ExitStatus&)>;

    // `global` gives script_user/script_group and enable_script_security. `kill_grace` is how long
    // a timed-out script's process group has between SIGTERM and SIGKILL.
    ScriptRunner(boost::asio::io_context& io, config::GlobalDefs global,
                 Clock::duration kill_grace = std::chrono::seconds(1));
    // Kills (SIGKILL) and reaps what still runs; their callbacks are not called.
    ~ScriptRunner();
    ScriptRunner(const ScriptRunner&) = delete;
    ScriptRunner& operator=(const ScriptRunner&) = delete;

    // Why `script` would be refused (bad command, unknown user, insecure path), or nullopt: lets
    // the daemon report at startup what keepalived reports at startup.
    std::optional<std::string> check(const config::Script& script) const;

    // Starts `script` with `extra_args` after its own arguments. `timeout` zero: no limit.
    // `done` is always called later from the io_context, never from inside run().
    void run(const config::Script& script, const std::vector<std::string>& extra_args,
             Clock::duration timeout, Callback done);

    // Scripts started and not yet reaped.
    size_t running() const { return children_.size(); }
    // Calls `f` (from the io_context, never from inside a call here) once running() is 0: lets a
    // reload keep the runner of the old configuration until what it started has finished.
    void when_idle(std::function<void()> f);

private:
    struct Child;
    struct Prepared;

    std::variant<Prepared, std::string> prepare(const config::Script& script) const;
    void finish(const std::shared_ptr<Child>& child);
    void on_timeout(const std::shared_ptr<Child>& child);

    boost::asio::io_context& io_;
    config::GlobalDefs global_;
    Clock::duration kill_grace_;
    uint64_t next_id_ = 0;
    std::unordered_map<uint64_t, std::shared_ptr<Child>> children_;
    std::vector<std::function<void()>> idle_waiters_;
};

} // namespace lvsd::director::notify
