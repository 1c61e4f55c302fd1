// lvs-genhash: fetches one URL the way HTTP_GET / SSL_GET do and prints the MD5 digest of its
// body, the value for a url's `digest`. keepalived's genhash flags where they make sense:
//
//   lvs-genhash -s SERVER -p PORT -u URL [-S [-I]] [-V VIRTUALHOST] [-P 1.0|1.0c|1.1]
//               [-m FWMARK] [-t SECONDS] [-v]
//
// Prints the digest alone on a line, as genhash does (with -v first the status, body size and
// response time). Exit 0 when a whole response arrived, 1 when not, 2 on bad usage.
#include "director/checks/probe.h"

#include <boost/asio/io_context.hpp>

#include <getopt.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

using namespace lvsd::director::checks;
namespace asio = boost::asio;

namespace {

int usage(std::ostream& out, int rc) {
    out << "usage: lvs-genhash -s SERVER -p PORT -u URL [-S [-I]] [-V VIRTUALHOST]\n"
           "                   [-P 1.0|1.0c|1.1] [-m FWMARK] [-t SECONDS] [-v]\n"
           "  -s, --server ADDR         address of the server (IPv4 or IPv6)\n"
           "  -p, --port PORT           its port (default 80, 443 with -S)\n"
           "  -u, --url PATH            path to fetch (default /)\n"
           "  -S, --use-ssl             SSL_GET: fetch over TLS\n"
           "  -I, --use-sni             send the virtualhost as TLS SNI\n"
           "  -V, --use-virtualhost H   Host: header\n"
           "  -P, --protocol V          1.0 (default), 1.0c (with Connection: close), 1.1\n"
           "  -m, --fwmark N            SO_MARK of the connection\n"
           "  -t, --timeout SECONDS     timeout of the whole fetch (default 5)\n"
           "  -v, --verbose             status, body size and response time too\n"
           "  -h, --help                this help\n";
    return rc;
}

} // namespace

int main(int argc, char** argv) {
    std::string server, url = "/", vhost;
    std::optional<int> port;
    bool tls = false, sni = false, verbose = false, close = false;
    int version = 10;
    unsigned fwmark = 0;
    double timeout = 5;
    static const option longopts[] = {
        {"server", required_argument, nullptr, 's'},
        {"port", required_argument, nullptr, 'p'},
        {"url", required_argument, nullptr, 'u'},
        {"use-ssl", no_argument, nullptr, 'S'},
        {"use-sni", no_argument, nullptr, 'I'},
        {"use-virtualhost", required_argument, nullptr, 'V'},
        {"protocol", required_argument, nullptr, 'P'},
        {"fwmark", required_argument, nullptr, 'm'},
        {"timeout", required_argument, nullptr, 't'},
        {"verbose", no_argument, nullptr, 'v'},
        {"help", no_argument, nullptr, 'h'},
        {nullptr, 0, nullptr, 0},
    };
    int opt;
    while ((opt = ::getopt_long(argc, argv, "s:p:u:SIV:P:m:t:vh", longopts, nullptr)) != -1) {
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
        case 'I':
            sni = true;
            break;
        case 'V':
            vhost = optarg;
            break;
        case 'P': {
            std::string v = optarg;
            if (v == "1.1")
                version = 11;
            else if (v == "1.0c" || v == "1.0C")
                close = true;
            else if (v != "1.0")
                return usage(std::cerr, 2);
            break;
        }
        case 'm':
            fwmark = static_cast<unsigned>(std::strtoul(optarg, nullptr, 0));
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
    target.fwmark = fwmark;
    HttpRequest req;
    req.path = url;
    req.tls = tls;
    req.version = version;
    req.connection_close = close;
    req.body_limit = size_t(64) << 20;
    if (!vhost.empty()) {
        req.host = vhost;
        if (tls && sni)
            req.sni = vhost;
    } else {
        req.host = address.is_v6() ? "[" + server + "]" : server;
        if (p != (tls ? 443 : 80))
            req.host += ":" + std::to_string(p);
    }

    asio::io_context io;
    auto ctx = make_client_tls_context();
    std::optional<HttpReply> reply;
    auto start = std::chrono::steady_clock::now();
    http_probe(io, ctx, target, req, [&](const HttpReply& r) { reply = r; });
    io.run();
    auto took = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    if (!reply || !reply->ok) {
        std::cerr << "lvs-genhash: " << (reply ? reply->error : "no answer") << "\n";
        return 1;
    }
    if (verbose)
        std::cout << "GET " << (tls ? "https://" : "http://") << req.host << url << "\n"
                  << "HTTP status = " << reply->status << "\n"
                  << "body size = " << reply->body_size << "\n"
                  << "response time = " << took.count() << " usecs\n";
    std::cout << reply->digest << "\n";
    return 0;
}
