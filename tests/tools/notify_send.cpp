// Test driver for the notify library: reads a keepalived.conf, reports one state change of one
// vrrp_instance through Notifier (scripts and smtp_alert mail, as the daemon would), waits until
// everything is done, and exits 0 if every mail was accepted, 1 if one failed, 2 on bad usage.
//
//   notify_send CONFIG INSTANCE MASTER|BACKUP|FAULT|STOP PRIORITY
#include "director/config/parser.h"
#include "director/notify/notifier.h"
#include "director/notify/script_runner.h"
#include "log/log.h"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <iostream>
#include <string>

using namespace lvsd;
using namespace lvsd::director;

int main(int argc, char** argv) {
    if (argc != 5) {
        std::cerr << "usage: notify_send CONFIG INSTANCE MASTER|BACKUP|FAULT|STOP PRIORITY\n";
        return 2;
    }
    log::set_program("notify_send");
    conf::Diagnostics diags;
    config::Config cfg;
    try {
        cfg = config::load_config(argv[1], "", diags);
    } catch (const conf::ConfigError& e) {
        diags.add(e.diagnostic());
    }
    for (const auto& d : diags.all())
        std::cerr << d.str() << "\n";
    if (diags.has_errors())
        return 2;
    const config::VrrpInstance* instance = nullptr;
    for (const auto& vi : cfg.vrrp_instances)
        if (vi.name == argv[2])
            instance = &vi;
    if (instance == nullptr) {
        std::cerr << "no vrrp_instance " << argv[2] << "\n";
        return 2;
    }
    std::string state = argv[3];
    int priority = std::stoi(argv[4]);

    boost::asio::io_context io;
    notify::ScriptRunner runner(io, cfg.global_defs);
    notify::Notifier notifier(io, cfg.global_defs, runner);
    auto start = std::chrono::steady_clock::now();
    if (state == "STOP") {
        notifier.instance_stopped(*instance, priority);
    } else {
        vrrp::State to = state == "MASTER"   ? vrrp::State::master
                         : state == "BACKUP" ? vrrp::State::backup
                         : state == "FAULT"  ? vrrp::State::fault
                                             : vrrp::State::init;
        if (to == vrrp::State::init) {
            std::cerr << "unknown state " << state << "\n";
            return 2;
        }
        notifier.instance_changed(*instance, to, priority);
    }
    notifier.when_idle([&io] { io.stop(); });
    io.run();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    std::cout << "done in " << ms << " ms: " << notifier.mails_sent() << " sent, "
              << notifier.mails_failed() << " failed\n";
    return notifier.mails_failed() == 0 ? 0 : 1;
}
