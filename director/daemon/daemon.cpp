#include "director/daemon/daemon.h"

#include "conf/diagnostic.h"
#include "director/config/parser.h"
#include "log/log.h"
#include "vrrp/instance_spec.h"

#include <systemd/sd-daemon.h>

#include <csignal>
#include <fstream>

namespace lvsd::director {

namespace asio = boost::asio;

Daemon::Daemon(DaemonOptions opts, config::Config config)
    : opts_(std::move(opts)), config_(std::move(config)), signals_(io_), link_events_(io_) {
    link_events_.assign(dup(links_.fd()));
}

Daemon::~Daemon() = default;

int Daemon::run() {
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR2})
        signals_.add(sig);
    std::signal(SIGPIPE, SIG_IGN);
    apply(config_);
    wait_signals();
    wait_links();
    sd_notify(0, "READY=1");
    io_.run();
    return 0;
}

void Daemon::apply(const config::Config& c) {
    auto specs = vrrp::build_specs(c);
    std::vector<std::unique_ptr<vrrp::Instance>> keep;
    // An instance whose settings did not change keeps running in its state: a reload must not
    // make a master step down.
    for (auto& inst : instances_) {
        auto same = std::find(specs.begin(), specs.end(), inst->spec());
        if (same != specs.end()) {
            specs.erase(same);
            keep.push_back(std::move(inst));
        } else {
            log::info("VRRP_Instance(" + inst->spec().name + ") removed or changed; stopping it");
            inst->stop();
        }
    }
    instances_ = std::move(keep);
    for (auto& spec : specs) {
        auto inst = std::make_unique<vrrp::Instance>(io_, std::move(spec), rt_, announcer_,
                                                     vrrp::Instance::StateHook{});
        try {
            inst->start();
        } catch (const std::exception& e) {
            // The other instances still run; this one stays down until a reload fixes it.
            log::error(e.what());
        }
        instances_.push_back(std::move(inst));
    }
}

void Daemon::reload() {
    sd_notify(0, "RELOADING=1");
    log::info("reloading " + opts_.config_file.string());
    conf::Diagnostics diags;
    config::Config next;
    try {
        next = config::load_config(opts_.config_file, opts_.config_id, diags);
    } catch (const conf::ConfigError& e) {
        diags.add(e.diagnostic());
    }
    for (const auto& d : diags.all())
        (d.severity == conf::Severity::error ? log::error : log::warning)(d.str());
    if (diags.has_errors()) {
        log::error("the new configuration has errors; keeping the running one");
    } else {
        config_ = std::move(next);
        apply(config_);
    }
    sd_notify(0, "READY=1");
}

void Daemon::stop_all() {
    sd_notify(0, "STOPPING=1");
    for (auto& inst : instances_)
        inst->stop();
    instances_.clear();
    signals_.cancel();
    link_events_.cancel();
    io_.stop();
}

void Daemon::dump_stats() {
    nlohmann::json j = {{"vrrp_instances", nlohmann::json::array()}};
    for (const auto& inst : instances_)
        j["vrrp_instances"].push_back(inst->stats());
    std::error_code ec;
    std::filesystem::create_directories(opts_.stats_file.parent_path(), ec);
    std::string tmp = opts_.stats_file.string() + ".tmp";
    std::ofstream(tmp) << j.dump(2) << '\n';
    std::filesystem::rename(tmp, opts_.stats_file, ec);
    if (ec)
        log::warning("cannot write " + opts_.stats_file.string() + ": " + ec.message());
}

void Daemon::wait_signals() {
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
        if (ec)
            return;
        if (sig == SIGHUP) {
            reload();
        } else if (sig == SIGUSR2) {
            dump_stats();
        } else {
            log::info("stopping on signal " + std::to_string(sig));
            stop_all();
            return;
        }
        wait_signals();
    });
}

void Daemon::wait_links() {
    link_events_.async_wait(asio::posix::stream_descriptor::wait_read,
                            [this](const boost::system::error_code& ec) {
                                if (ec)
                                    return;
                                links_.drain([this](int ifindex, bool running) {
                                    for (auto& inst : instances_)
                                        inst->link_changed(ifindex, running);
                                });
                                wait_links();
                            });
}

} // namespace lvsd::director
