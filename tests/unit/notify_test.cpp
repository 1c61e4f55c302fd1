#define BOOST_TEST_MODULE notify
#include <boost/test/unit_test.hpp>

#include "director/notify/command_line.h"
#include "director/notify/notifier.h"
#include "director/notify/notify_event.h"
#include "director/notify/priority.h"
#include "director/notify/script_health.h"
#include "director/notify/script_runner.h"
#include "director/notify/script_security.h"
#include "director/notify/script_tracker.h"
#include "director/notify/smtp_client.h"
#include "director/notify/smtp_protocol.h"
#include "director/notify/state_mail.h"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <pwd.h>
#include <sstream>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace lvsd::director;
using namespace lvsd::director::notify;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

// ---- helpers -----------------------------------------------------------------------------------

// A directory of its own under /tmp, removed at the end; 0755 so `nobody` can run scripts in it.
struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/lvsd-notify-test.XXXXXX";
        path = ::mkdtemp(tmpl);
        fs::permissions(path, fs::perms(0755));
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    // An executable /bin/sh script.
    std::string script(const std::string& name, const std::string& body,
                       fs::perms mode = fs::perms(0755)) const {
        auto p = path / name;
        std::ofstream(p) << "#!/bin/sh\n" << body << "\n";
        fs::permissions(p, mode);
        return p.string();
    }
    std::string read(const std::string& name) const {
        std::ifstream in(path / name);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
};

config::Script script(const std::string& command, const std::string& user = "",
                      const std::string& group = "") {
    config::Script s;
    s.command = command;
    s.user = user;
    s.group = group;
    return s;
}

// Runs the loop until `done()` or `limit`, whichever first; every test wait is bounded.
template <class F>
bool run_until(boost::asio::io_context& io, F done, std::chrono::milliseconds limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    io.restart();
    while (!done() && std::chrono::steady_clock::now() < end)
        io.run_one_for(20ms);
    return done();
}

// One script run to completion.
struct Run {
    std::optional<ExitStatus> status;
    std::chrono::steady_clock::duration took{};
};

Run run_script(ScriptRunner& runner, boost::asio::io_context& io, const config::Script& s,
               const Strings& args = {}, std::chrono::milliseconds timeout = 5s,
               std::chrono::milliseconds limit = 10s) {
    Run r;
    auto start = std::chrono::steady_clock::now();
    runner.run(s, args, timeout, [&](const ExitStatus& st) {
        r.status = st;
        r.took = std::chrono::steady_clock::now() - start;
    });
    run_until(
        io, [&] { return r.status.has_value(); }, limit);
    return r;
}

bool process_gone(pid_t pid) {
    // Gone, or a zombie waiting for whoever adopted it: either way no longer running.
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    if (!stat)
        return true;
    std::string line;
    std::getline(stat, line);
    auto paren = line.rfind(')');
    return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z';
}

// ---- command line ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(split_command_words_and_quotes) {
    BOOST_TEST(*split_command("/bin/x a  b\tc") == (Strings{"/bin/x", "a", "b", "c"}));
    BOOST_TEST(*split_command("/bin/x 'a b' \"c d\" e\\ f") ==
               (Strings{"/bin/x", "a b", "c d", "e f"}));
    BOOST_TEST(*split_command("x '' y") == (Strings{"x", "", "y"}));
    BOOST_TEST(*split_command("x pre'mid dle'post") == (Strings{"x", "premid dlepost"}));
    BOOST_TEST((!split_command("x 'open")));
    BOOST_TEST((!split_command("   ")));
}

// ---- notify events -----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(notify_state_from_vrrp) {
    BOOST_TEST((notify_state(lvsd::vrrp::State::master) == NotifyState::master));
    BOOST_TEST((notify_state(lvsd::vrrp::State::fault) == NotifyState::fault));
    BOOST_TEST(!notify_state(lvsd::vrrp::State::init));
}

BOOST_AUTO_TEST_CASE(script_calls_own_script_then_notify_with_four_arguments) {
    config::Notify n;
    n.master = script("/etc/ka/master.sh arg1");
    n.backup = script("/etc/ka/backup.sh");
    n.any = script("/etc/ka/notify.sh fixed");
    auto calls = script_calls(n, {Scope::instance, "VI_1", NotifyState::master, 150});
    BOOST_REQUIRE_EQUAL(calls.size(), 2u);
    BOOST_TEST(calls[0].script.command == "/etc/ka/master.sh arg1");
    BOOST_TEST(calls[0].extra_args.empty());
    BOOST_TEST(calls[1].script.command == "/etc/ka/notify.sh fixed");
    BOOST_TEST(calls[1].extra_args == (Strings{"INSTANCE", "VI_1", "MASTER", "150"}));

    calls = script_calls(n, {Scope::group, "G1", NotifyState::fault, 0});
    BOOST_REQUIRE_EQUAL(calls.size(), 1u); // no notify_fault: only `notify`
    BOOST_TEST(calls[0].extra_args == (Strings{"GROUP", "G1", "FAULT", "0"}));

    n.stop = script("/etc/ka/stop.sh");
    calls = script_calls(n, {Scope::instance, "VI_1", NotifyState::stop, 100});
    BOOST_REQUIRE_EQUAL(calls.size(), 2u);
    BOOST_TEST(calls[0].script.command == "/etc/ka/stop.sh");
    BOOST_TEST(calls[1].extra_args[2] == "STOP");

    BOOST_TEST(
        script_calls(config::Notify{}, {Scope::instance, "x", NotifyState::backup, 1}).empty());
}

// ---- mail text ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(mail_subject_like_keepalived) {
    BOOST_TEST(mail_subject("lb1", {Scope::instance, "VI_1", NotifyState::master, 150}) ==
               "[lb1] VRRP Instance VI_1 - Entering MASTER state");
    BOOST_TEST(mail_subject("lb1", {Scope::group, "G1", NotifyState::fault, 0}) ==
               "[lb1] VRRP Group G1 - Entering FAULT state");
}

BOOST_AUTO_TEST_CASE(mail_message_headers_and_crlf) {
    BOOST_TEST(rfc5322_date(0) == "Thu, 01 Jan 1970 00:00:00 +0000");
    BOOST_TEST(rfc5322_date(1795638116) == "Wed, 25 Nov 2026 20:21:56 +0000");
    auto m = state_mail("lb1", "ka@lb1", {"a@x", "b@y"},
                        {Scope::instance, "VI_1", NotifyState::backup, 100});
    auto text = m.message(0);
    BOOST_TEST(text.find("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n") == 0u);
    BOOST_TEST(text.find("\r\nFrom: ka@lb1\r\n") != std::string::npos);
    BOOST_TEST(text.find("\r\nTo: a@x, b@y\r\n") != std::string::npos);
    BOOST_TEST(text.find("\r\nSubject: [lb1] VRRP Instance VI_1 - Entering BACKUP state\r\n") !=
               std::string::npos);
    BOOST_TEST(text.find("\r\n\r\nVRRP instance VI_1 is now BACKUP") != std::string::npos);
    BOOST_TEST(text.find("Priority: 100\r\n") != std::string::npos);
    for (size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\n')
            BOOST_TEST_REQUIRE((i > 0 && text[i - 1] == '\r')); // bare LF is not SMTP
}

// ---- SMTP text ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(smtp_replies_single_and_multi_line) {
    std::string buf = "220 mx ready\r\n250-mx\r\n250-SIZE 1000\r\n250 HELP\r\n354 go";
    auto r = smtp::take_reply(buf);
    BOOST_REQUIRE(r);
    BOOST_TEST(r->code == 220);
    BOOST_TEST(r->text == "mx ready");
    r = smtp::take_reply(buf);
    BOOST_REQUIRE(r);
    BOOST_TEST(r->code == 250);
    BOOST_TEST(r->text == "mx\nSIZE 1000\nHELP");
    BOOST_TEST(!smtp::take_reply(buf)); // "354 go" has no line end yet
    buf += "\r\n";
    BOOST_TEST(smtp::take_reply(buf)->code == 354);
    buf = "garbage\r\n";
    BOOST_TEST(smtp::take_reply(buf)->code == 0);
}

BOOST_AUTO_TEST_CASE(smtp_dot_stuffing) {
    BOOST_TEST(smtp::dot_stuff("a\r\n.b\r\n..c\nd") == "a\r\n..b\r\n...c\r\nd\r\n.\r\n");
    BOOST_TEST(smtp::dot_stuff(".\r\n") == "..\r\n.\r\n");
    BOOST_TEST(smtp::dot_stuff("") == ".\r\n");
    BOOST_TEST(smtp::path("a@b") == "<a@b>");
    BOOST_TEST(smtp::path("<a@b>") == "<a@b>");
}

// ---- SMTP sessions, against loopback sockets
// -----------------------------------------------------

// A TCP socket on 127.0.0.1 with a kernel-chosen port; listening or not.
struct LoopbackSocket {
    int fd = -1;
    uint16_t port = 0;
    explicit LoopbackSocket(bool listening) {
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        socklen_t len = sizeof a;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
        if (listening)
            ::listen(fd, 4);
    }
    ~LoopbackSocket() { ::close(fd); }
};

struct SendResult {
    std::optional<std::string> error;
    std::chrono::steady_clock::duration took{};
};

SendResult send(const std::string& host, uint16_t port, std::chrono::milliseconds timeout,
                Mail mail = {"from@test", {"to@test"}, "subject", "body\n"}) {
    boost::asio::io_context io;
    SmtpServer server{host, port, "helo.test", timeout};
    SendResult r;
    auto start = std::chrono::steady_clock::now();
    send_mail(io, server, std::move(mail), [&](const std::string& e) {
        r.error = e;
        r.took = std::chrono::steady_clock::now() - start;
    });
    run_until(
        io, [&] { return r.error.has_value(); }, 10s);
    return r;
}

BOOST_AUTO_TEST_CASE(smtp_connection_refused_by_name) {
    uint16_t port;
    {
        LoopbackSocket closed(false);
        port = closed.port;
    }                                     // nothing listens there now
    auto r = send("localhost", port, 5s); // a name: goes through the resolver
    BOOST_REQUIRE(r.error);
    BOOST_TEST(r.error->find("connecting") == 0u);
    BOOST_TEST((r.took < 2s));
}

BOOST_AUTO_TEST_CASE(smtp_silent_server_times_out) {
    LoopbackSocket silent(true); // the kernel accepts the connection; nobody ever speaks
    auto r = send("127.0.0.1", silent.port, 300ms);
    BOOST_REQUIRE(r.error);
    BOOST_TEST(*r.error == "greeting: timed out after 300 ms");
    BOOST_TEST((r.took >= 290ms));
    BOOST_TEST((r.took < 2s));
}

// A scripted server on a thread: no ESMTP (EHLO refused), one recipient refused; records what the
// client sent.
BOOST_AUTO_TEST_CASE(smtp_dialogue_helo_fallback_refused_recipient_dot_stuffing) {
    LoopbackSocket listener(true);
    std::string transcript;
    std::thread server([&] {
        int c = ::accept(listener.fd, nullptr, nullptr);
        if (c < 0)
            return;
        timeval tv{5, 0}; // bounded: a stuck client cannot hang the test
        ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        std::string in;
        auto say = [&](const std::string& line) {
            std::string l = line + "\r\n";
            [[maybe_unused]] auto n = ::write(c, l.data(), l.size());
        };
        auto read_until = [&](const std::string& end) {
            char buf[1024];
            while (in.find(end) == std::string::npos) {
                ssize_t n = ::read(c, buf, sizeof buf);
                if (n <= 0)
                    return false;
                in.append(buf, n);
            }
            return true;
        };
        auto next_line = [&]() -> std::string {
            if (!read_until("\r\n"))
                return "";
            auto pos = in.find("\r\n");
            std::string line = in.substr(0, pos);
            in.erase(0, pos + 2);
            transcript += line + "\n";
            return line;
        };
        say("220-mx.test first line");
        say("220 mx.test ready");
        if (next_line().rfind("EHLO ", 0) == 0)
            say("502 5.5.1 EHLO not implemented");
        if (next_line().rfind("HELO ", 0) == 0)
            say("250 mx.test");
        next_line();
        say("250 ok");
        for (int i = 0; i < 2; ++i) {
            auto rcpt = next_line();
            say(rcpt.find("bad@") != std::string::npos ? "550 no such user" : "250 ok");
        }
        if (next_line() == "DATA")
            say("354 go ahead");
        if (read_until("\r\n.\r\n")) {
            auto end = in.find("\r\n.\r\n");
            transcript += "DATA<" + in.substr(0, end + 5) + ">\n";
            in.erase(0, end + 5);
            say("250 queued");
        }
        if (next_line() == "QUIT")
            say("221 bye");
        ::close(c);
    });
    Mail m{"from@test", {"bad@test", "good@test"}, "s", "line one\n.starts with a dot\n"};
    auto r = send("127.0.0.1", listener.port, 5s, m);
    server.join();
    BOOST_REQUIRE(r.error);
    BOOST_TEST(*r.error == "");
    BOOST_TEST(transcript.find("EHLO helo.test\nHELO helo.test\nMAIL FROM:<from@test>\n"
                               "RCPT TO:<bad@test>\nRCPT TO:<good@test>\nDATA\n") == 0u);
    BOOST_TEST(transcript.find("\r\n\r\nline one\r\n..starts with a dot\r\n.\r\n>\nQUIT\n") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(smtp_all_recipients_refused_fails) {
    LoopbackSocket listener(true);
    std::thread server([&] {
        int c = ::accept(listener.fd, nullptr, nullptr);
        if (c < 0)
            return;
        timeval tv{5, 0};
        ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        const char* replies[] = {"220 hi\r\n", "250 hi\r\n", "250 ok\r\n", "550 no\r\n"};
        char buf[512];
        for (int i = 0; i < 4; ++i) {
            if (i > 0 && ::read(c, buf, sizeof buf) <= 0)
                break;
            [[maybe_unused]] auto n = ::write(c, replies[i], std::strlen(replies[i]));
        }
        [[maybe_unused]] auto eof = ::read(c, buf, sizeof buf); // the client gives up
        ::close(c);
    });
    auto r = send("127.0.0.1", listener.port, 5s);
    server.join();
    BOOST_REQUIRE(r.error);
    BOOST_TEST(*r.error == "no recipient accepted");
}

// ---- priority ----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(priority_weights) {
    using T = TrackedState;
    BOOST_TEST((effective_priority(100, {}) == EffectivePriority{100, false}));
    // Positive: added while up, nothing while down.
    BOOST_TEST((effective_priority(100, {T{10, false, true}}) == EffectivePriority{110, false}));
    BOOST_TEST((effective_priority(100, {T{10, false, false}}) == EffectivePriority{100, false}));
    // Negative: subtracted while down, nothing while up.
    BOOST_TEST((effective_priority(100, {T{-30, false, false}}) == EffectivePriority{70, false}));
    BOOST_TEST((effective_priority(100, {T{-30, false, true}}) == EffectivePriority{100, false}));
    // Reverse: positive subtracted while up; negative added while down.
    BOOST_TEST((effective_priority(100, {T{10, true, true}}) == EffectivePriority{90, false}));
    BOOST_TEST((effective_priority(100, {T{-30, true, false}}) == EffectivePriority{130, false}));
    // Several add up.
    BOOST_TEST((effective_priority(100, {T{10, false, true}, T{-5, false, false},
                                         T{20, false, true}}) == EffectivePriority{125, false}));
}

BOOST_AUTO_TEST_CASE(priority_weight_zero_is_fault) {
    using T = TrackedState;
    BOOST_TEST((effective_priority(100, {T{0, false, false}}).fault));
    BOOST_TEST((!effective_priority(100, {T{0, false, true}}).fault));
    // 'weight 0 reverse': down while the item is up.
    BOOST_TEST((effective_priority(100, {T{0, true, true}}).fault));
    BOOST_TEST((!effective_priority(100, {T{0, true, false}}).fault));
    BOOST_TEST((effective_priority(255, {T{0, false, false}}) == EffectivePriority{255, true}));
}

BOOST_AUTO_TEST_CASE(priority_clamped_and_owner_unchanged) {
    using T = TrackedState;
    BOOST_TEST(effective_priority(250, {T{50, false, true}}).priority == 254);
    BOOST_TEST(effective_priority(20, {T{-50, false, false}}).priority == 1);
    BOOST_TEST(effective_priority(255, {T{-50, false, false}}).priority == 255);
    BOOST_TEST(effective_priority(255, {T{50, false, true}}).priority == 255);
}

BOOST_AUTO_TEST_CASE(track_script_entry_weight_overrides_script_weight) {
    config::VrrpScript vs;
    vs.weight = -20;
    vs.reverse = true;
    config::Tracked entry;
    auto t = tracked_script(entry, vs, false);
    BOOST_TEST(t.weight == -20);
    BOOST_TEST(t.reverse);
    entry.weight = 5;
    entry.weight_set = true;
    t = tracked_script(entry, vs, true);
    BOOST_TEST(t.weight == 5);
    BOOST_TEST(!t.reverse);
    BOOST_TEST(t.up);
}

// ---- rise / fall -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(script_health_rise_fall) {
    ScriptHealth h(2, 3, false);
    BOOST_TEST(h.up());
    BOOST_TEST(!h.record(false));
    BOOST_TEST(!h.record(false));
    BOOST_TEST(!h.record(true)); // a success resets the failure streak
    BOOST_TEST(!h.record(false));
    BOOST_TEST(!h.record(false));
    BOOST_TEST(h.record(false)); // third in a row
    BOOST_TEST(!h.up());
    BOOST_TEST(!h.record(true));
    BOOST_TEST(!h.record(false));
    BOOST_TEST(!h.record(true));
    BOOST_TEST(h.record(true));
    BOOST_TEST(h.up());
}

BOOST_AUTO_TEST_CASE(script_health_init_fail) {
    ScriptHealth h(1, 1, true);
    BOOST_TEST(!h.up());
    BOOST_TEST(h.record(true));
    BOOST_TEST(h.up());
}

// ---- the script runner, with real processes ----------------------------------------------------

BOOST_AUTO_TEST_CASE(runner_exit_codes_and_arguments) {
    TempDir d;
    boost::asio::io_context io;
    ScriptRunner runner(io, {});
    auto ok = d.script("ok.sh", "exit 0");
    auto three = d.script("three.sh", "exit 3");
    auto sig = d.script("sig.sh", "kill -TERM $$");
    auto args = d.script("args.sh", "printf '%s|' \"$@\" >" + (d.path / "args").string());

    BOOST_TEST(
        (run_script(runner, io, script(ok)).status == ExitStatus{ExitStatus::Kind::exited, 0}));
    BOOST_TEST(
        (run_script(runner, io, script(three)).status == ExitStatus{ExitStatus::Kind::exited, 3}));
    BOOST_TEST((run_script(runner, io, script(sig)).status ==
                ExitStatus{ExitStatus::Kind::signaled, SIGTERM}));
    auto r = run_script(runner, io, script(args + " 'a b' c"), {"INSTANCE", "VI_1"});
    BOOST_TEST(r.status->success());
    BOOST_TEST(d.read("args") == "a b|c|INSTANCE|VI_1|");
    BOOST_TEST(runner.running() == 0u);
}

// A reload keeps the old runner until its scripts end (Daemon::retire_notifier).
BOOST_AUTO_TEST_CASE(runner_when_idle_waits_for_the_scripts_it_runs) {
    TempDir d;
    boost::asio::io_context io;
    ScriptRunner runner(io, {});
    int idle = 0;
    runner.when_idle([&] { ++idle; });
    io.run_for(std::chrono::milliseconds(50));
    io.restart();
    BOOST_TEST(idle == 1); // nothing running: at once, from the loop
    auto slow = d.script("slow.sh", "sleep 0.3; exit 0");
    bool done = false;
    runner.run(script(slow), {}, std::chrono::seconds(5), [&](const ExitStatus&) { done = true; });
    runner.when_idle([&] {
        BOOST_TEST(done); // after the script's own callback
        ++idle;
    });
    io.run_for(std::chrono::milliseconds(100));
    io.restart();
    BOOST_TEST(idle == 1);
    for (int i = 0; i < 100 && idle < 2; ++i) {
        io.run_for(std::chrono::milliseconds(50));
        io.restart();
    }
    BOOST_TEST(idle == 2);
    BOOST_TEST(runner.running() == 0u);
}

BOOST_AUTO_TEST_CASE(runner_child_environment) {
    TempDir d;
    boost::asio::io_context io;
    ScriptRunner runner(io, {});
    // stdin is /dev/null, none of our descriptors leaks (the loop's epoll/eventfd/pidfds, or a
    // file opened without O_CLOEXEC), its own process group, an empty signal mask.
    auto out = (d.path / "env").string();
    auto marker = (d.path / "marker").string();
    std::ofstream(marker) << "";
    int leak = ::open(marker.c_str(), O_RDONLY); // no O_CLOEXEC on purpose
    auto s = d.script("env.sh", "exec >" + out +
                                    " 2>&1\n"
                                    // Shell builtins only: while it waits for a child,
                                    // dash blocks signals itself.
                                    "while read k v; do [ $k = SigBlk: ] && echo $v; done "
                                    "</proc/$$/status\n"
                                    "ps -o pid=,pgid= -p $$\n"
                                    "for f in /proc/$$/fd/*; do readlink $f; done; exit 0");
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    ::sigprocmask(SIG_BLOCK, &block, &old); // must not reach the script
    auto r = run_script(runner, io, script(s));
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    ::close(leak);
    BOOST_TEST(r.status->success());
    std::istringstream in(d.read("env"));
    std::string pid, pgid, sigblk, fd0, link;
    in >> sigblk >> pid >> pgid >> fd0;
    BOOST_TEST(pid == pgid);
    BOOST_TEST(sigblk == "0000000000000000");
    BOOST_TEST(fd0 == "/dev/null");
    while (in >> link) {
        BOOST_TEST(link.find("anon_inode") == std::string::npos);
        BOOST_TEST(link != marker);
    }
}

BOOST_AUTO_TEST_CASE(runner_timeout_kills_the_process_group) {
    TempDir d;
    boost::asio::io_context io;
    ScriptRunner runner(io, {}, 300ms);
    auto pids = (d.path / "pids").string();
    // Ignores SIGTERM (and so does what it starts), and leaves a background child: only the
    // SIGKILL to the whole group ends both.
    auto s = d.script("hang.sh", "trap '' TERM\nsleep 60 &\necho $! >" + pids + "\nsleep 60");
    auto r = run_script(runner, io, script(s), {}, 200ms, 10s);
    BOOST_REQUIRE(r.status);
    BOOST_TEST((r.status->kind == ExitStatus::Kind::timed_out));
    BOOST_TEST((r.took < 2s)); // 200 ms timeout + 300 ms grace, with room for a slow machine
    BOOST_TEST((r.took >= 450ms));
    pid_t background = std::stoi(d.read("pids"));
    bool gone = false;
    for (int i = 0; i < 100 && !gone; ++i) { // bounded: 2 s
        gone = process_gone(background);
        if (!gone)
            ::usleep(20000);
    }
    BOOST_TEST(gone);
}

BOOST_AUTO_TEST_CASE(runner_timeout_term_is_enough_for_a_polite_script) {
    TempDir d;
    boost::asio::io_context io;
    ScriptRunner runner(io, {}, 5s);
    auto s = d.script("polite.sh", "sleep 60");
    auto r = run_script(runner, io, script(s), {}, 200ms, 10s);
    BOOST_TEST((r.status->kind == ExitStatus::Kind::timed_out));
    BOOST_TEST((r.took < 2s)); // did not need the 5 s grace
}

BOOST_AUTO_TEST_CASE(runner_callback_never_synchronous) {
    boost::asio::io_context io;
    ScriptRunner runner(io, {});
    bool called = false;
    runner.run(script("/nonexistent/x"), {}, 1s, [&](const ExitStatus&) { called = true; });
    BOOST_TEST(!called);
    runner.run(script("no-such-program-anywhere"), {}, 1s, [&](const ExitStatus&) {});
    runner.run(script("'open"), {}, 1s, [&](const ExitStatus&) {});
    BOOST_TEST(!called);
    run_until(
        io, [&] { return called; }, 5s);
    BOOST_TEST(called);
}

BOOST_AUTO_TEST_CASE(runner_failures_to_start) {
    boost::asio::io_context io;
    ScriptRunner runner(io, {});
    BOOST_TEST((run_script(runner, io, script("/nonexistent/x")).status ==
                ExitStatus{ExitStatus::Kind::failed_to_start, ENOENT}));
    BOOST_TEST((run_script(runner, io, script("no-such-program-anywhere")).status->kind ==
                ExitStatus::Kind::refused));
    BOOST_TEST((run_script(runner, io, script("/bin/true", "no-such-user-here")).status->kind ==
                ExitStatus::Kind::refused));
    BOOST_TEST(runner.check(script("/bin/true", "no-such-user-here"))->find("no-such-user-here") !=
               std::string::npos);
    BOOST_TEST((!runner.check(script("/bin/true"))));
}

BOOST_AUTO_TEST_CASE(runner_user_selection) {
    if (::geteuid() != 0) {
        BOOST_TEST_MESSAGE("not root: user switching not tested");
        return;
    }
    TempDir d;
    fs::permissions(d.path, fs::perms(0777)); // `nobody` writes its answer here
    boost::asio::io_context io;
    auto out = (d.path / "uid").string();
    auto s = d.script("id.sh", "echo $(id -u):$(id -g) >" + out);

    // The script's own user.
    ScriptRunner plain(io, {});
    BOOST_TEST(run_script(plain, io, script(s, "nobody")).status->success());
    BOOST_TEST(d.read("uid") == "65534:65534\n");
    // Its own user and group.
    BOOST_TEST(run_script(plain, io, script(s, "nobody", "root")).status->success());
    BOOST_TEST(d.read("uid") == "65534:0\n");
    // No user anywhere and no keepalived_script user: the daemon's own (root).
    if (::getpwnam("keepalived_script") == nullptr) {
        BOOST_TEST(run_script(plain, io, script(s)).status->success());
        BOOST_TEST(d.read("uid") == "0:0\n");
    }
    // global_defs script_user applies to scripts without their own.
    config::GlobalDefs g;
    g.script_user = "nobody";
    ScriptRunner global_user(io, g);
    BOOST_TEST(run_script(global_user, io, script(s)).status->success());
    BOOST_TEST(d.read("uid") == "65534:65534\n");
    BOOST_TEST(run_script(global_user, io, script(s, "root")).status->success());
    BOOST_TEST(d.read("uid") == "0:0\n");
}

BOOST_AUTO_TEST_CASE(runner_script_security) {
    if (::geteuid() != 0) {
        BOOST_TEST_MESSAGE("not root: ownership checks not tested");
        return;
    }
    TempDir d;
    boost::asio::io_context io;
    config::GlobalDefs g;
    g.enable_script_security = true;
    ScriptRunner runner(io, g);
    auto safe = d.script("safe.sh", "exit 0");
    BOOST_TEST((!insecure_reason(safe)));
    BOOST_TEST(run_script(runner, io, script(safe)).status->success());

    // World-writable file: refused as root, with a reason naming it.
    auto open_file = d.script("open.sh", "exit 0", fs::perms(0777));
    BOOST_TEST(runner.check(script(open_file))->find("open.sh is writable by everyone") !=
               std::string::npos);
    BOOST_TEST(
        (run_script(runner, io, script(open_file)).status->kind == ExitStatus::Kind::refused));
    // Run as a non-root user it is not checked (keepalived's rule).
    BOOST_TEST(run_script(runner, io, script(open_file, "nobody")).status->success());

    // A file owned by a non-root user, a group-writable file, a writable parent directory.
    auto owned = d.script("owned.sh", "exit 0");
    BOOST_REQUIRE(::chown(owned.c_str(), 65534, 0) == 0);
    BOOST_TEST((insecure_reason(owned)->find("owned by uid 65534") != std::string::npos));
    auto grp = d.script("grp.sh", "exit 0", fs::perms(0775));
    BOOST_REQUIRE(::chown(grp.c_str(), 0, 65534) == 0);
    BOOST_TEST((insecure_reason(grp)->find("writable by group") != std::string::npos));
    fs::create_directory(d.path / "sub");
    auto nested = d.path / "sub" / "x.sh";
    std::ofstream(nested) << "#!/bin/sh\n";
    fs::permissions(nested, fs::perms(0755));
    BOOST_TEST((!insecure_reason(nested.string())));
    fs::permissions(d.path / "sub", fs::perms(0777));
    BOOST_TEST(insecure_reason(nested.string())->find("sub is writable by everyone") !=
               std::string::npos);
    // A sticky world-writable directory (like /tmp) is fine: others cannot replace the file.
    fs::permissions(d.path / "sub", fs::perms(01777));
    BOOST_TEST((!insecure_reason(nested.string())));
    // A symlink to an unsafe file is judged by its target too.
    fs::create_symlink(open_file, d.path / "link.sh");
    BOOST_TEST(insecure_reason((d.path / "link.sh").string()).has_value());
}

BOOST_AUTO_TEST_CASE(runner_destroyed_with_scripts_running) {
    TempDir d;
    auto s = d.script("long.sh", "sleep 60");
    boost::asio::io_context io;
    bool called = false;
    auto start = std::chrono::steady_clock::now();
    {
        ScriptRunner runner(io, {});
        runner.run(script(s), {}, 0s, [&](const ExitStatus&) { called = true; });
        io.run_for(100ms);
        BOOST_TEST(runner.running() == 1u);
    }
    // Killed and reaped: no child of ours is left, not even a zombie.
    BOOST_TEST(::waitpid(-1, nullptr, WNOHANG) == -1);
    BOOST_TEST(errno == ECHILD);
    io.restart();
    io.run_for(100ms);
    BOOST_TEST(!called);
    BOOST_TEST((std::chrono::steady_clock::now() - start < 2s));
}

// ---- notifier ----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(notifier_runs_scripts_in_event_order) {
    TempDir d;
    auto log = (d.path / "log").string();
    // The specific scripts are slow, so a later event would overtake if nothing kept the order.
    auto specific = d.script("specific.sh", "sleep 0.2; echo \"$1\" >>" + log);
    auto generic = d.script("notify.sh", "echo \"$@\" >>" + log);
    config::VrrpInstance vi;
    vi.name = "VI_1";
    vi.notify.master = script(specific + " master");
    vi.notify.backup = script(specific + " backup");
    vi.notify.any = script(generic + " fixed");
    config::VrrpInstance other;
    other.name = "VI_2";
    other.notify.any = script(generic);

    boost::asio::io_context io;
    ScriptRunner runner(io, {});
    Notifier notifier(io, {}, runner);
    notifier.instance_changed(vi, lvsd::vrrp::State::master, 150);
    notifier.instance_changed(vi, lvsd::vrrp::State::init, 150); // not reported
    notifier.instance_changed(vi, lvsd::vrrp::State::backup, 100);
    notifier.instance_changed(other, lvsd::vrrp::State::fault, 90);
    BOOST_TEST(notifier.pending() == 5u);
    bool idle = false;
    notifier.when_idle([&] { idle = true; });
    BOOST_TEST(run_until(
        io, [&] { return idle; }, 10s));
    auto text = d.read("log");
    // VI_2 does not wait behind VI_1, so its line comes first; VI_1's keep their order.
    BOOST_TEST(text == "INSTANCE VI_2 FAULT 90\n"
                       "master\n"
                       "fixed INSTANCE VI_1 MASTER 150\n"
                       "backup\n"
                       "fixed INSTANCE VI_1 BACKUP 100\n");
    notifier.instance_stopped(vi, 100);
    idle = false;
    notifier.when_idle([&] { idle = true; });
    BOOST_TEST(run_until(
        io, [&] { return idle; }, 10s));
    BOOST_TEST(d.read("log").ends_with("fixed INSTANCE VI_1 STOP 100\n"));
}

BOOST_AUTO_TEST_CASE(notifier_group_arguments) {
    TempDir d;
    auto log = (d.path / "log").string();
    config::VrrpSyncGroup g;
    g.name = "G1";
    g.notify.any = script(d.script("notify.sh", "echo \"$@\" >>" + log));
    boost::asio::io_context io;
    ScriptRunner runner(io, {});
    Notifier notifier(io, {}, runner);
    notifier.group_changed(g, lvsd::vrrp::State::master, 200);
    bool idle = false;
    notifier.when_idle([&] { idle = true; });
    BOOST_TEST(run_until(
        io, [&] { return idle; }, 10s));
    BOOST_TEST(d.read("log") == "GROUP G1 MASTER 200\n");
}

// ---- vrrp_script tracking ----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(tracker_rise_fall_on_a_real_script) {
    TempDir d;
    auto flag = d.path / "healthy";
    std::ofstream(flag) << "";
    config::VrrpScript vs;
    vs.name = "chk";
    vs.script = script(d.script("chk.sh", "test -e " + flag.string()));
    vs.interval = 0.05;
    vs.rise = 2;
    vs.fall = 3;
    boost::asio::io_context io;
    ScriptRunner runner(io, {});
    std::vector<bool> changes;
    ScriptTracker t(io, runner, vs, [&](bool up) { changes.push_back(up); });
    BOOST_TEST(t.up()); // without init_fail it starts up
    t.start();
    BOOST_TEST(run_until(
        io, [&] { return t.runs() >= 3; }, 5s));
    BOOST_TEST(changes.empty());

    fs::remove(flag);
    uint64_t at = t.runs();
    BOOST_TEST(run_until(
        io, [&] { return !changes.empty(); }, 5s));
    BOOST_TEST(changes == std::vector<bool>{false});
    BOOST_TEST(t.runs() - at >= 3u); // fall 3
    BOOST_TEST(!t.up());

    std::ofstream(flag) << "";
    at = t.runs();
    BOOST_TEST(run_until(
        io, [&] { return changes.size() == 2; }, 5s));
    BOOST_TEST(changes == (std::vector<bool>{false, true}));
    BOOST_TEST(t.runs() - at >= 2u); // rise 2
}

BOOST_AUTO_TEST_CASE(tracker_init_fail_and_timeout_counts_as_failure) {
    TempDir d;
    config::VrrpScript vs;
    vs.name = "slow";
    vs.script = script(d.script("slow.sh", "sleep 5"));
    vs.interval = 0.1;
    vs.timeout = 0.1;
    boost::asio::io_context io;
    ScriptRunner runner(io, {}, 100ms);
    std::vector<bool> changes;
    ScriptTracker t(io, runner, vs, [&](bool up) { changes.push_back(up); });
    t.start();
    auto start = std::chrono::steady_clock::now();
    BOOST_TEST(run_until(
        io, [&] { return !changes.empty(); }, 5s));
    BOOST_TEST(changes == std::vector<bool>{false});
    BOOST_TEST((std::chrono::steady_clock::now() - start < 2s));

    vs.init_fail = true;
    vs.script = script("/bin/true");
    changes.clear();
    ScriptTracker t2(io, runner, vs, [&](bool up) { changes.push_back(up); });
    BOOST_TEST(!t2.up());
    t2.start();
    BOOST_TEST(run_until(
        io, [&] { return t2.up(); }, 5s));
    BOOST_TEST(changes.back());
}

BOOST_AUTO_TEST_CASE(tracker_of_a_reload_keeps_the_verdict) {
    // A failing script stays down across a reload: starting up again would give its instance
    // its weight back (maybe a preemption) until the first run.
    TempDir d;
    config::VrrpScript vs;
    vs.name = "chk";
    vs.script = script("/bin/false");
    vs.interval = 0.05;
    boost::asio::io_context io;
    ScriptRunner runner(io, {});
    ScriptTracker old(io, runner, vs, [](bool) {});
    ScriptTracker unrun(io, runner, vs, [](bool) {});
    old.start();
    BOOST_TEST(run_until(
        io, [&] { return !old.up(); }, 5s));
    ScriptTracker next(io, runner, vs, [](bool) {});
    next.inherit(old);
    BOOST_TEST(!next.up());
    BOOST_TEST(next.runs() == old.runs());
    ScriptTracker fresh(io, runner, vs, [](bool) {});
    fresh.inherit(unrun); // no verdict yet to take over
    BOOST_TEST(fresh.up());
    vs.script = script("/bin/true");
    ScriptTracker other(io, runner, vs, [](bool) {});
    other.inherit(old); // another command: another script
    BOOST_TEST(other.up());
}

BOOST_AUTO_TEST_CASE(tracker_disables_a_script_it_cannot_run) {
    config::VrrpScript vs;
    vs.name = "ghost";
    vs.script = script("/bin/true", "no-such-user-here");
    vs.interval = 0.05;
    boost::asio::io_context io;
    ScriptRunner runner(io, {});
    std::vector<bool> changes;
    ScriptTracker t(io, runner, vs, [&](bool up) { changes.push_back(up); });
    t.start();
    BOOST_TEST(run_until(
        io, [&] { return t.disabled(); }, 5s));
    io.restart();
    io.run_for(200ms);
    BOOST_TEST(t.runs() == 0u);
    BOOST_TEST(changes.empty());

    vs.script = script("");
    ScriptTracker empty(io, runner, vs, [](bool) {});
    empty.start();
    BOOST_TEST(empty.disabled());
}

BOOST_AUTO_TEST_CASE(tracker_never_overlaps_runs) {
    TempDir d;
    auto lock = (d.path / "lock").string();
    auto overlap = (d.path / "overlap").string();
    auto count = (d.path / "count").string();
    config::VrrpScript vs;
    vs.name = "busy";
    // Runs take three intervals; mkdir is atomic, so a second concurrent run would notice.
    vs.script =
        script(d.script("busy.sh", "mkdir " + lock + " || echo x >>" + overlap + "\necho >>" +
                                       count + "\nsleep 0.15\nrmdir " + lock));
    vs.interval = 0.05;
    vs.timeout = 1;
    boost::asio::io_context io;
    ScriptRunner runner(io, {});
    ScriptTracker t(io, runner, vs, [](bool) {});
    t.start();
    BOOST_TEST(run_until(
        io, [&] { return t.runs() >= 4; }, 5s));
    BOOST_TEST(!fs::exists(overlap));
    BOOST_TEST(runner.running() <= 1u);
}
