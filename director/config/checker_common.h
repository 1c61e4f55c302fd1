// What every health checker shares: where to connect and how persistently to retry. Unset values
// fall back to the real server's, then the virtual server's, then keepalived's defaults.
#pragma once

#include "conf/location.h"
#include "net/ip_address.h"

#include <optional>
#include <string>

namespace lvsd::director::config {

struct CheckerCommon {
    conf::Location where;
    std::optional<net::IpAddress> connect_ip; // unset: the real server's address
    std::optional<int> connect_port;          // unset: the real server's port
    std::optional<net::IpAddress> bindto;
    std::optional<int> bind_port;
    std::string bind_if;
    std::optional<double> connect_timeout; // seconds
    std::optional<int> retry;              // also written `nb_get_retry`
    std::optional<double> delay_before_retry;
    std::optional<double> delay_loop;
    std::optional<double> warmup;
    std::optional<unsigned> fwmark; // SO_MARK on the checker's socket
    bool alpha = false;
    bool log_all_failures = false;
};

} // namespace lvsd::director::config
