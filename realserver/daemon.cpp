#include "daemon.h"

#include "agent_responder.h"
#include "connections.h"
#include "drain_acks.h"
#include "report_sender.h"

#include "agent/key_file.h"
#include "sys/pidfile.h"

#include "log/log.h"
#include "probes.h"
#include "readiness.h"

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <systemd/sd-daemon.h>
#include <unistd.h>
#include <utility>

namespace lvsd::realserver {

namespace asio = boost::asio;

namespace {

class Daemon {
public:
    Daemon(Config c, const std::function<Config()>& reload, Host& host)
        : config_(std::move(c)), plan_(plan_host(config_)), reload_(reload), host_(host),
          timer_(io_), drain_timer_(io_), signals_(io_, SIGTERM, SIGINT, SIGHUP) {
        signals_.add(SIGUSR1); // `lvs-realserver drain|undrain`: a round now
    }

    int run() {
        // Everything that can refuse to start (a second copy, a busy port, a missing key) is
        // checked before the host is touched, so a refusal changes nothing.
        try {
            pidfile_ = std::make_unique<sys::PidFile>(host_.state_path().string() + ".pid");
        } catch (const std::exception& e) {
            log::error(e.what());
            return 1;
        }
        if (!open_agent(config_) || !open_reports(config_))
            return 1;
        try {
            for (const auto& l : host_.apply(plan_, config_.source))
                log::info(l);
        } catch (const std::exception& e) {
            log::error(std::string("cannot apply: ") + e.what() + " (nothing left changed)");
            return 1;
        }
        sd_notify(0, "READY=1\nSTATUS=applied, checking readiness");
        log::info("running: " + std::to_string(plan_.addresses.size()) + " VIP(s), state in " +
                  host_.state_path().string());
        wait_signal();
        asio::post(io_, [this] { round(); });
        // A handler that throws (a fault of ours, or of the host: a /proc file unreadable) must
        // not end the agent and leave VIPs and sysctls behind with nobody to restore them: the
        // error is logged and the loop goes on from a known point.
        for (;;) {
            try {
                io_.run();
                return exit_code_;
            } catch (const std::exception& e) {
                log::error(std::string("internal error, going on: ") + e.what());
                recover();
            }
        }
    }

private:
    // After a handler threw: a stop under way finishes (its drain timer may not be armed any
    // more); otherwise the rounds start again after one interval.
    void recover() {
        if (stopping_)
            return finish_stop();
        in_round_ = false;
        again_ = false;
        next_round(interval());
    }

    std::chrono::milliseconds interval() const {
        return std::chrono::milliseconds(static_cast<int>(config_.check_interval * 1000));
    }

    void next_round(std::chrono::milliseconds wait) {
        timer_.expires_after(wait);
        timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec)
                round();
        });
    }

    void wait_signal() {
        signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
            if (ec)
                return;
            // Waits again first: were the handling to throw, signals (a stop) must still work.
            // A stop cancels the wait.
            wait_signal();
            if (sig == SIGHUP)
                return do_reload();
            if (sig == SIGUSR1)
                return round_now();
            if (!draining_ && config_.effective_drain_timeout() > 0)
                return start_drain(); // a second SIGTERM stops at once
            finish_stop();
        });
    }

    // Graceful stop: tell the directors "drain", wait until every director has acknowledged it
    // (its table has weight 0 for us) and no connection to a VIP is left, or drain_timeout
    // passes; then take the VIPs away. Established connections finish on this host; a director
    // that cannot be reached holds the stop up to drain_timeout at most.
    void start_drain() {
        draining_ = true;
        stopping_ = true;
        timer_.cancel();
        // systemd's stop timeout (90 s by default) must not cut a longer drain short: killed
        // mid-drain, the agent would leave the VIPs and sysctls behind.
        auto extend_us = static_cast<long long>((config_.effective_drain_timeout() + 30) * 1e6);
        sd_notify(0, ("STATUS=draining\nEXTEND_TIMEOUT_USEC=" + std::to_string(extend_us)).c_str());
        last_ = "drain";
        if (reports_) {
            reports_->report("drain", std::chrono::seconds(0));
            const auto& r = reports_->last_report();
            std::vector<std::string> directors;
            for (const auto& d : config_.report_to)
                directors.push_back(d.str());
            acks_.emplace(std::move(directors), reports_->host(), r.seq, r.time_ms);
        }
        drain_started_ = std::chrono::steady_clock::now();
        log::info("draining: waiting up to " + std::to_string(config_.effective_drain_timeout()) +
                  " s for connections to the VIPs to end");
        poll_drain();
    }

    void poll_drain() {
        std::vector<net::IpAddress> vips;
        for (const auto& v : config_.vips)
            vips.push_back(v.address);
        std::vector<int> ports;
        for (const auto& svc : config_.services)
            ports.push_back(svc.port);
        int open = established_to(vips, ports);
        auto now = std::chrono::steady_clock::now();
        auto waited = now - drain_started_;
        // Once the last director has acknowledged, packets it forwarded before its table changed
        // may still be on the wire or in this host's queues: a short settle lets them show up as
        // connections (SYN_RECV counts) before the VIP can go.
        // Without report_to nobody acknowledges: pulling directors (agent_port) get half a
        // second to see the "drain".
        bool settled = acks_ ? acks_->all() && now - last_ack_ >= std::chrono::milliseconds(100)
                             : waited >= std::chrono::milliseconds(500);
        if (open == 0 && settled) {
            log::info(acks_ ? "drained: every director acknowledged, no connection left"
                            : "drained: no connection left");
            return finish_stop();
        }
        if (waited >= std::chrono::duration<double>(config_.effective_drain_timeout())) {
            std::string unacked;
            if (acks_)
                for (const auto& d : acks_->missing())
                    unacked += " " + d;
            log::warning("drain_timeout: " + std::to_string(open) + " connection(s) still open" +
                         (unacked.empty() ? "" : ", no acknowledgement from" + unacked) +
                         "; stopping anyway");
            return finish_stop();
        }
        if (reports_)
            reports_->report("drain", std::chrono::seconds(1));
        drain_timer_.expires_after(std::chrono::milliseconds(100));
        drain_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec)
                poll_drain();
        });
    }

    void finish_stop() {
        sd_notify(0, "STOPPING=1");
        timer_.cancel();
        drain_timer_.cancel();
        agent_.reset();
        stopping_ = true;
        std::vector<std::string> undone;
        try {
            host_.undo(undone);
        } catch (const std::exception& e) {
            log::error(e.what());
            exit_code_ = 1;
        }
        for (const auto& l : undone)
            log::info(l);
        log::info("stopped");
        signals_.cancel();
        io_.stop();
    }

    // The agent-check responder of `c`, nullptr without agent_port. Throws when the port cannot
    // be had: an error at start, and on reload, which keeps the old one.
    std::unique_ptr<AgentResponder> make_agent(const Config& c) {
        if (c.agent_port == 0)
            return nullptr;
        // Until the first round ends, directors are told "down": readiness is not known yet.
        try {
            return std::make_unique<AgentResponder>(io_, c.agent_address, c.agent_port, [this] {
                return last_.empty() ? std::string("down #starting") : last_;
            });
        } catch (const boost::system::system_error& e) {
            throw std::runtime_error("cannot listen on agent port " + std::to_string(c.agent_port) +
                                     ": " + e.code().message());
        }
    }

    void use_agent(std::unique_ptr<AgentResponder> a, const Config& c) {
        agent_ = std::move(a);
        if (agent_)
            log::info("agent-check answers on port " + std::to_string(c.agent_port));
    }

    bool open_agent(const Config& c) {
        return logged([&] { use_agent(make_agent(c), c); });
    }

    // Runs `f`; false, with its error logged, when it throws.
    template <class F> static bool logged(F&& f) {
        try {
            f();
            return true;
        } catch (const std::exception& e) {
            log::error(e.what());
            return false;
        }
    }

    // The sender of `c`'s reports, nullptr when it reports to no director. Throws what stops it
    // (a missing or unreadable key): an error at start, and on reload, which keeps the old one.
    std::unique_ptr<ReportSender> make_reports(const Config& c) {
        if (c.report_to.empty())
            return nullptr;
        std::string host = c.report_host;
        if (host.empty()) {
            char name[256] = {};
            gethostname(name, sizeof name - 1);
            host = name;
        }
        // Reports are JSON: a name that is not UTF-8 would come back from the directors'
        // acks altered, and the drain would never count them.
        try {
            (void)nlohmann::json(host).dump();
        } catch (const nlohmann::json::exception&) {
            throw std::runtime_error("report_host '" + host + "' is not valid UTF-8");
        }
        auto r = std::make_unique<ReportSender>(io_, c.report_to, c.report_port,
                                                agent::load_key(c.report_key_file), host);
        r->on_ack([this](const std::string& from, const agent::Ack& a) {
            if (acks_ && acks_->take(from, a) == DrainAcks::Verdict::counted) {
                last_ack_ = std::chrono::steady_clock::now();
                log::info("drain acknowledged by director " + from + " (" + a.director + ")");
            }
        });
        return r;
    }

    void use_reports(std::unique_ptr<ReportSender> r, const Config& c) {
        reports_ = std::move(r);
        if (reports_)
            log::info("reporting readiness to " + std::to_string(c.report_to.size()) +
                      " director(s) on port " + std::to_string(c.report_port));
    }

    bool open_reports(const Config& c) {
        return logged([&] { use_reports(make_reports(c), c); });
    }

    void do_reload() {
        // A drain counts the acks of the report it sent, to the directors of the running
        // configuration; a new sender or director list would leave it waiting for acks that
        // cannot come. The stop is under way: the new configuration would not outlive it.
        if (draining_) {
            log::warning("reload ignored: draining, on the way to stop");
            return;
        }
        sd_notify(0, "RELOADING=1");
        try {
            Config next = reload_();
            HostPlan next_plan = plan_host(next);
            // What can refuse (the key, the agent port) before the host changes: a refusal keeps
            // all as it was.
            auto next_reports = make_reports(next);
            bool new_agent = next.agent_port != config_.agent_port ||
                             next.agent_address != config_.agent_address;
            std::unique_ptr<AgentResponder> next_agent;
            if (new_agent && next.agent_port != 0 && next.agent_port == config_.agent_port)
                agent_.reset(); // the same port on another address: ours holds it until now
            if (new_agent)
                next_agent = make_agent(next);
            for (const auto& l : host_.apply(next_plan, next.source))
                log::info(l);
            if (new_agent)
                use_agent(std::move(next_agent), next);
            use_reports(std::move(next_reports), next);
            config_ = std::move(next);
            plan_ = std::move(next_plan);
            log::info("configuration reloaded");
        } catch (const std::exception& e) {
            log::error(std::string("reload failed, keeping the running configuration: ") +
                       e.what());
            if (!agent_ && config_.agent_port != 0)
                open_agent(config_); // given up above for the new one's port
        }
        sd_notify(0, "READY=1");
    }

    // A round in flight (probes are asynchronous) runs another one as soon as it ends.
    void round_now() {
        if (in_round_) {
            again_ = true;
            return;
        }
        timer_.cancel();
        round();
    }

    void round() {
        if (stopping_)
            return;
        in_round_ = true;
        // Someone may have removed the VIP (ifdown lo, a stray script) or reset a sysctl.
        try {
            for (const auto& l : host_.apply(plan_, config_.source))
                log::warning("re-applied: " + l);
        } catch (const std::exception& e) {
            log::error(std::string("cannot re-apply: ") + e.what());
        }
        HostStatus hs = host_.inspect(plan_);
        probe_services(io_, config_.services, [this, hs](std::vector<CheckResult> results) {
            if (stopping_) { // a stop (or drain) began while the probes ran
                in_round_ = false;
                return;
            }
            Readiness r = evaluate(hs, std::move(results));
            std::string text = r.agent_text();
            if (text != last_) {
                log::info("readiness: " + text);
                sd_notify(0, ("STATUS=" + text).c_str());
                last_ = text;
            }
            if (reports_)
                reports_->report(text);
            in_round_ = false;
            next_round(std::exchange(again_, false) ? std::chrono::milliseconds(0) : interval());
        });
    }

    Config config_;
    HostPlan plan_;
    const std::function<Config()>& reload_;
    Host& host_;
    asio::io_context io_;
    asio::steady_timer timer_;
    asio::steady_timer drain_timer_; // its own: a round in flight re-arms timer_
    asio::signal_set signals_;
    std::unique_ptr<AgentResponder> agent_;
    std::unique_ptr<ReportSender> reports_;
    std::optional<DrainAcks> acks_; // while draining with reports
    std::chrono::steady_clock::time_point last_ack_{};
    std::unique_ptr<sys::PidFile> pidfile_; // lets `drain` find us
    std::string last_;
    bool stopping_ = false;
    bool in_round_ = false;
    bool draining_ = false;
    std::chrono::steady_clock::time_point drain_started_{};
    bool again_ = false;
    int exit_code_ = 0;
};

} // namespace

int run_daemon(Config config, const std::function<Config()>& reload, Host& host) {
    Daemon d(std::move(config), reload, host);
    return d.run();
}

} // namespace lvsd::realserver
