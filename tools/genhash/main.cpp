// lvs-genhash: fetches one URL the way HTTP_GET / SSL_GET do and prints the MD5 digest of its
// body, the value for a url's `digest`. keepalived's genhash flags where they make sense:
//
//   lvs-genhash -s SERVER -p PORT -u URL [-S] [-V VIRTUALHOST] [-P 1.0|1.1] [-t SECONDS] [-v]
//
// Prints `MD5SUM = <hex>` (with -v also the status and body size). Exit 0 when a whole response
// arrived, 1 when not, 2 on bad usage.
#include "director/checks/probe.h"

#include <boost/asio/io_context.hpp>

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

using namespace lvsd::director::checks;
namespace asio = boost::asio;

namespace {

int usage(std::ostream& out, int rc) {
    out << "usage: lvs-genhash -s SERVER -p PORT -u URL [-S] [-V VIRTUALHOST] [-P 1.0|1.1]\n"
           "                   [-t SECONDS] [-v]\n"
           "  -s SERVER       address of the server (IPv4 or IPv6)\n"
           "  -p PORT         its port (default 80, 443 with -S)\n"
           "  -u URL          path to fetch (default /)\n"
           "  -S              SSL_GET: fetch over TLS\n"
           "  -V VIRTUALHOST  Host: header (and TLS SNI)\n"
           "  -P 1.0|1.1      HTTP protocol version (default 1.0)\n"
           "  -t SECONDS      timeout of the whole fetch (default 5)\n"
           "  -v              verbose: status and body size too\n"
           "  -h              this help\n";
    return rc;
}

} // namespace

int main(int argc, char** argv) {
    std::string server, url = "/", vhost;
    std::optional<int> port;
    bool tls = false, verbose = false;
    int version = 10;
    double timeout = 5;
    int opt;
    while ((opt = ::getopt(argc, argv, "s:p:u:SV:P:t:vh")) != -1) {
        switch (opt) {
        case 's':
            server = optarg;
            break;
        case 'p':
            port = std::atoi(optarg);
            break;
        case 'u':
            url = optarg;
            break;
        case 'S':
            tls = true;
            break;
        case 'V':
            vhost = optarg;
            break;
        case 'P':
            if (std::string(optarg) == "1.1")
                version = 11;
            else if (std::string(optarg) != "1.0")
                return usage(std::cerr, 2);
            break;
        case 't':
            timeout = std::atof(optarg);
            break;
        case 'v':
            verbose = true;
            break;
        case 'h':
            return usage(std::cout, 0);
        default:
            return usage(std::cerr, 2);
        }
    }
    if (server.empty() || optind != argc)
        return usage(std::cerr, 2);
    boost::system::error_code ec;
    auto address = asio::ip::make_address(server, ec);
    if (ec) {
        std::cerr << "lvs-genhash: " << server << ": not an IP address\n";
        return 2;
    }
    int p = port.value_or(tls ? 443 : 80);
    if (p <= 0 || p > 65535 || timeout <= 0) {
        std::cerr << "lvs-genhash: bad port or timeout\n";
        return 2;
    }

    ProbeTarget target;
    target.endpoint = {address, static_cast<uint16_t>(p)};
    target.timeout = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(timeout));
    HttpRequest req;
    req.path = url;
    req.tls = tls;
    req.version = version;
    req.body_limit = size_t(64) << 20;
    if (!vhost.empty()) {
        req.host = vhost;
        if (tls)
            req.sni = vhost;
    } else {
        req.host = address.is_v6() ? "[" + server + "]" : server;
        if (p != (tls ? 443 : 80))
            req.host += ":" + std::to_string(p);
    }

    asio::io_context io;
    auto ctx = make_client_tls_context();
    std::optional<HttpReply> reply;
    http_probe(io, ctx, target, req, [&](const HttpReply& r) { reply = r; });
    io.run();
    if (!reply || !reply->ok) {
        std::cerr << "lvs-genhash: " << (reply ? reply->error : "no answer") << "\n";
        return 1;
    }
    if (verbose) {
        std::cout << "GET " << (tls ? "https://" : "http://") << req.host << url << "\n"
                  << "HTTP status = " << reply->status << "\n"
                  << "body size = " << reply->body_size << "\n";
    }
    std::cout << "MD5SUM = " << reply->digest << "\n";
    return 0;
}
