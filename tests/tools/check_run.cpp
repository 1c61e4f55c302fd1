// Test driver for the health checkers: loads a keepalived.conf, runs every checker through
// CheckerSet on one io_context and prints, one line each, flushed:
//
//   start VS RS up|down weight W            the state before any check
//   change T_MS VS RS up|down weight W      a real server's state changed (T_MS since start)
//   result T_MS VS RS ok|fail REASON        every check result (with -v)
//   quorum T_MS VS up|down
//   table T_MS SERVICE DEST=WEIGHT ...      the forwarding table after a change
//
// Runs until SIGTERM/SIGINT, or for SECONDS with -t. Exit 2 on a bad config.
//
//   check_run [-v] [-t SECONDS] CONFIG
#include "director/checks/checker_set.h"
#include "director/config/parser.h"
#include "log/log.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

using namespace lvsd;
using namespace lvsd::director;

namespace {

std::string vs_name(const config::VirtualServer& vs) {
    switch (vs.kind) {
    case config::VirtualServerKind::address:
        return vs.address.str() + ":" + std::to_string(vs.port);
    case config::VirtualServerKind::fwmark:
        return "fwmark:" + std::to_string(vs.fwmark);
    case config::VirtualServerKind::group:
        break;
    }
    return "group:" + vs.group;
}

std::string rs_name(const config::RealServer& rs) {
    return rs.address.str() + ":" + std::to_string(rs.port);
}

} // namespace

int main(int argc, char** argv) {
    bool verbose = false;
    double seconds = 0;
    int opt;
    while ((opt = ::getopt(argc, argv, "vt:")) != -1) {
        if (opt == 'v')
            verbose = true;
        else if (opt == 't')
            seconds = std::stod(optarg);
        else
            return 2;
    }
    if (optind + 1 != argc) {
        std::cerr << "usage: check_run [-v] [-t SECONDS] CONFIG\n";
        return 2;
    }
    log::set_program("check_run");
    conf::Diagnostics diags;
    config::Config cfg;
    try {
        cfg = config::load_config(argv[optind], "", diags);
    } catch (const conf::ConfigError& e) {
        diags.add(e.diagnostic());
    }
    for (const auto& d : diags.all())
        std::cerr << d.str() << "\n";
    if (diags.has_errors())
        return 2;

    boost::asio::io_context io{1}; // one thread, as the director's
    notify::ScriptRunner runner(io, cfg.global_defs);
    auto start = std::chrono::steady_clock::now();
    auto ms = [&] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - start)
            .count();
    };
    checks::CheckerSet* setp = nullptr;
    auto print_table = [&] {
        auto t = setp->table();
        for (const auto& [key, svc] : t.table.services) {
            std::cout << "table " << ms() << " " << key.str();
            for (const auto& [dk, d] : svc.destinations)
                std::cout << " " << dk.str() << "=" << d.weight;
            std::cout << "\n";
        }
        std::cout << std::flush;
    };
    checks::CheckerSet set(io, cfg, runner, [&](const dataplane::RealServerRef& r, bool up, int w) {
        const auto& vs = cfg.virtual_servers[r.virtual_server];
        std::cout << "change " << ms() << " " << vs_name(vs) << " "
                  << rs_name(vs.real_servers[r.real_server]) << " " << (up ? "up" : "down")
                  << " weight " << w << "\n";
        print_table();
    });
    setp = &set;
    set.on_quorum([&](size_t vi, bool up) {
        std::cout << "quorum " << ms() << " " << vs_name(cfg.virtual_servers[vi]) << " "
                  << (up ? "up" : "down") << "\n"
                  << std::flush;
    });
    if (verbose)
        set.on_result(
            [&](const checks::CheckerId& id, const checks::Result& r, const checks::CheckState&) {
                const auto& vs = cfg.virtual_servers[id.server.virtual_server];
                std::cout << "result " << ms() << " " << vs_name(vs) << " "
                          << rs_name(vs.real_servers[id.server.real_server]) << " "
                          << (r.ok ? "ok" : "fail") << " " << r.reason << "\n"
                          << std::flush;
            });
    for (const auto& n : set.notes())
        std::cerr << "note: " << n << "\n";
    for (const auto& [ref, h] : set.health().servers) {
        const auto& vs = cfg.virtual_servers[ref.virtual_server];
        std::cout << "start " << vs_name(vs) << " " << rs_name(vs.real_servers[ref.real_server])
                  << " " << (h.up ? "up" : "down") << " weight " << h.weight << "\n";
    }
    print_table();

    boost::asio::signal_set signals(io, SIGTERM, SIGINT);
    signals.async_wait([&](boost::system::error_code, int) { io.stop(); });
    boost::asio::steady_timer limit(io);
    if (seconds > 0) {
        limit.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(seconds)));
        limit.async_wait([&](boost::system::error_code ec) {
            if (!ec)
                io.stop();
        });
    }
    set.start();
    io.run();
    set.stop();
    return 0;
}
