// SMTP_CHECK: connect and exchange a HELO.
#pragma once

#include <string>

namespace lvsd::director::config {

struct SmtpCheck {
    std::string helo_name; // empty: the host name
};

} // namespace lvsd::director::config
