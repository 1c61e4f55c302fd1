// Local service probes: is a TCP port listening, does an HTTP GET on 127.0.0.1 answer as expected.
#pragma once

#include "config.h"
#include "readiness.h"

#include <boost/asio/io_context.hpp>
#include <functional>
#include <string>
#include <vector>

namespace lvsd::realserver {

// Reads /proc/net/tcp and tcp6 of our network namespace for a socket in LISTEN on `port`.
bool tcp_listening(int port);

// Probes every service concurrently on `io`; `done` gets one result per service, in config order.
void probe_services(boost::asio::io_context& io, const std::vector<Service>& services,
                    std::function<void(std::vector<CheckResult>)> done);

} // namespace lvsd::realserver
