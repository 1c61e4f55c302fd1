// realserver.conf: what this real server must hold and which local services make it ready.
#pragma once

#include "conf/diagnostic.h"
#include "conf/statement.h"
#include "net/ip_address.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lvsd::realserver {

// DR: the VIP sits on lo and the host must not answer ARP for it.
// TUN: the VIP sits on the ipip fallback device tunl0, which decapsulates what the director sends.
enum class VipMode { dr, tun };

struct Vip {
    net::IpAddress address;
    VipMode mode = VipMode::dr;
    conf::Location where;
};

struct HttpProbe {
    std::string path = "/";
    std::string host; // Host header; empty means the VIP-less "127.0.0.1"
    int status_code = 200;
    double timeout = 2.0; // seconds
};

struct Service {
    std::string name;
    int port = 0;
    std::optional<HttpProbe> http;
    conf::Location where;
};

struct Config {
    std::vector<Vip> vips;
    std::vector<Service> services;
    double check_interval = 1.0; // seconds between enforcement and readiness rounds in `run`
    int agent_port = 0;          // HAProxy agent-check answers in `run`; 0 = off
    std::string agent_address;   // where to listen; "" = every address
    // Readiness reports pushed to the directors (shared/agent/report.h).
    std::vector<net::IpAddress> report_to;
    int report_port = 7707;
    std::string report_key_file; // required with report_to
    std::string report_host;     // the name reports carry; "" = this host's name
    std::string source;          // the file read, or "command line"
};

// Parses realserver.conf statements. Errors are thrown as conf::ConfigError with their place.
Config parse_config(const std::vector<conf::Statement>& statements);
Config load_config(const std::filesystem::path& file, conf::Diagnostics& diags);
// A VIP listed twice (in the file, on the command line, or across both) is an error at its
// second place.
void check_unique_vips(const Config& c);
// `--vip ADDR[,tun]` from the command line.
Vip parse_vip_argument(const std::string& text);

} // namespace lvsd::realserver
