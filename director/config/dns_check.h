// DNS_CHECK: send a query and expect an answer.
#pragma once

#include <string>

namespace lvsd::director::config {

struct DnsCheck {
    std::string type = "SOA";
    std::string name = ".";
};

} // namespace lvsd::director::config
