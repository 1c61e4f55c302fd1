// HTTP_GET and SSL_GET: fetch URLs and compare the status code and, optionally, an MD5 digest of
// the body.
#pragma once

#include "conf/location.h"

#include <string>
#include <utility>
#include <vector>

namespace lvsd::director::config {

struct HttpUrl {
    conf::Location where;
    std::string path;
    std::string digest; // lower-case hex MD5, empty: not compared
    // Accepted status ranges, inclusive; empty means 2xx, as keepalived does.
    std::vector<std::pair<int, int>> status_codes;
    std::string virtualhost;
};

struct HttpCheck {
    bool ssl = false; // SSL_GET
    std::vector<HttpUrl> urls;
    std::string virtualhost;   // Host: header; empty: the virtual server's, else the address
    std::string http_protocol; // 1.0, 1.0C, 1.1; empty: 1.0
    bool enable_sni = false;
    std::string sni_name;
    bool fast_recovery = false;
    bool tls_compliant = false;
};

} // namespace lvsd::director::config
