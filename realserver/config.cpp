#include "config.h"

#include "conf/reader.h"

#include <charconv>
#include <set>

namespace lvsd::realserver {

using conf::ConfigError;
using conf::Location;
using conf::Severity;
using conf::Statement;

[[noreturn]] static void fail(const Location& l, const std::string& m) {
    throw ConfigError({l, Severity::error, m});
}

static void expect_args(const Statement& s, size_t n) {
    if (s.arg_count() < n)
        fail(s.after_keyword(), "'" + s.keyword() + "' needs a value");
    if (s.arg_count() > n)
        fail(s.arg(n).where, "unexpected '" + s.arg(n).text + "' after '" + s.keyword() + "'");
}

static void expect_no_block(const Statement& s) {
    if (s.has_block)
        fail(s.where(), "'" + s.keyword() + "' takes no block");
}

static double number(const conf::Word& w, double lo, double hi) {
    double v = 0;
    auto [p, ec] = std::from_chars(w.text.data(), w.text.data() + w.text.size(), v);
    if (ec != std::errc() || p != w.text.data() + w.text.size() || v < lo || v > hi)
        fail(w.where, "'" + w.text + "' is not a number from " + std::to_string(int(lo)) + " to " +
                          std::to_string(int(hi)));
    return v;
}

static Vip parse_vip(const Statement& s) {
    Vip v;
    v.where = s.where();
    auto a = net::IpAddress::parse(s.keyword());
    if (!a)
        fail(s.where(), "'" + s.keyword() + "' is not an IPv4 or IPv6 address");
    if (a->prefix_len != a->max_prefix())
        fail(s.where(), "a VIP on a real server is a single address (/" +
                            std::to_string(a->max_prefix()) + "), not '" + s.keyword() + "'");
    v.address = *a;
    for (size_t i = 0; i < s.arg_count(); ++i) {
        const auto& w = s.arg(i);
        if (w.text == "mode" && i + 1 < s.arg_count()) {
            const auto& m = s.arg(++i);
            if (m.text == "dr")
                v.mode = VipMode::dr;
            else if (m.text == "tun")
                v.mode = VipMode::tun;
            else
                fail(m.where, "mode is 'dr' or 'tun', not '" + m.text + "'");
        } else {
            fail(w.where, "unexpected '" + w.text + "' after a VIP (expected 'mode dr|tun')");
        }
    }
    if (v.mode == VipMode::tun && !v.address.is_v4())
        fail(s.where(), "TUN mode (ipip) carries IPv4 VIPs only");
    return v;
}

static HttpProbe parse_http(const Statement& block) {
    HttpProbe h;
    for (const auto& s : block.block) {
        expect_no_block(s);
        if (s.keyword() == "path") {
            expect_args(s, 1);
            if (s.arg(0).text.empty() || s.arg(0).text[0] != '/')
                fail(s.arg(0).where, "path must start with '/'");
            h.path = s.arg(0).text;
        } else if (s.keyword() == "host") {
            expect_args(s, 1);
            h.host = s.arg(0).text;
        } else if (s.keyword() == "status_code") {
            expect_args(s, 1);
            h.status_code = static_cast<int>(number(s.arg(0), 100, 599));
        } else if (s.keyword() == "timeout") {
            expect_args(s, 1);
            h.timeout = number(s.arg(0), 0.01, 60);
        } else {
            fail(s.where(), "unknown keyword '" + s.keyword() +
                                "' in http_get (expected path, host, status_code, timeout)");
        }
    }
    return h;
}

static Service parse_service(const Statement& s) {
    Service svc;
    svc.where = s.where();
    if (s.arg_count() > 1)
        fail(s.arg(1).where, "service takes one name");
    svc.name = s.arg_count() ? s.arg(0).text : "service";
    if (!s.has_block)
        fail(s.where(), "service needs a block: service NAME { port N }");
    for (const auto& k : s.block) {
        if (k.keyword() == "port") {
            expect_no_block(k);
            expect_args(k, 1);
            svc.port = static_cast<int>(number(k.arg(0), 1, 65535));
        } else if (k.keyword() == "http_get") {
            if (!k.has_block || k.arg_count())
                fail(k.where(), "http_get takes a block: http_get { path / }");
            svc.http = parse_http(k);
        } else {
            fail(k.where(),
                 "unknown keyword '" + k.keyword() + "' in service (expected port, http_get)");
        }
    }
    if (svc.port == 0)
        fail(s.where(), "service '" + svc.name + "' needs a port");
    return svc;
}

Config parse_config(const std::vector<Statement>& statements) {
    Config c;
    for (const auto& s : statements) {
        const auto& k = s.keyword();
        if (k == "virtual_ipaddress") {
            if (!s.has_block || s.arg_count())
                fail(s.where(), "virtual_ipaddress takes a block of addresses");
            for (const auto& v : s.block) {
                expect_no_block(v);
                c.vips.push_back(parse_vip(v));
            }
        } else if (k == "service") {
            c.services.push_back(parse_service(s));
        } else if (k == "agent_port") {
            expect_no_block(s);
            expect_args(s, 1);
            c.agent_port = static_cast<int>(number(s.arg(0), 1, 65535));
        } else if (k == "agent_address") {
            expect_no_block(s);
            expect_args(s, 1);
            auto a = net::IpAddress::parse(s.arg(0).text);
            if (!a || a->prefix_len != a->max_prefix())
                fail(s.arg(0).where, "'" + s.arg(0).text + "' is not an IPv4 or IPv6 address");
            c.agent_address = a->str();
        } else if (k == "report_to") {
            // report_to ADDR... on one line, or a block of addresses
            std::vector<const conf::Word*> words;
            for (size_t i = 0; i < s.arg_count(); ++i)
                words.push_back(&s.arg(i));
            for (const auto& line : s.block)
                for (const auto& w : line.words)
                    words.push_back(&w);
            if (words.empty())
                fail(s.where(), "report_to needs the directors' addresses");
            for (const auto* w : words) {
                auto a = net::IpAddress::parse(w->text);
                if (!a || a->prefix_len != a->max_prefix())
                    fail(w->where, "'" + w->text + "' is not an IPv4 or IPv6 address");
                c.report_to.push_back(*a);
            }
        } else if (k == "report_port") {
            expect_no_block(s);
            expect_args(s, 1);
            c.report_port = static_cast<int>(number(s.arg(0), 1, 65535));
        } else if (k == "report_key_file" || k == "report_host") {
            expect_no_block(s);
            expect_args(s, 1);
            (k == "report_host" ? c.report_host : c.report_key_file) = s.arg(0).text;
        } else if (k == "check_interval") {
            expect_no_block(s);
            expect_args(s, 1);
            c.check_interval = number(s.arg(0), 0.1, 3600);
        } else {
            fail(s.where(),
                 "unknown keyword '" + k +
                     "' (expected virtual_ipaddress, service, check_interval, agent_port, "
                     "agent_address, report_to, report_port, report_key_file, report_host)");
        }
    }
    if (!c.report_to.empty() && c.report_key_file.empty())
        fail(statements.front().where(),
             "report_to needs report_key_file: directors accept only authenticated reports");
    check_unique_vips(c);
    return c;
}

void check_unique_vips(const Config& c) {
    std::set<std::pair<int, std::array<uint8_t, 16>>> seen;
    for (const auto& v : c.vips)
        if (!seen.insert({v.address.family, v.address.bytes}).second)
            fail(v.where, "VIP " + v.address.str() + " is listed twice");
}

Config load_config(const std::filesystem::path& file, conf::Diagnostics& diags) {
    conf::Reader reader(diags);
    conf::StatementBuilder statements;
    reader.read_file(file, statements);
    Config c = parse_config(statements.finish());
    c.source = file.string();
    return c;
}

Vip parse_vip_argument(const std::string& text) {
    Location where{std::make_shared<const std::string>("--vip " + text), 0, 0};
    std::string addr = text, mode;
    if (auto comma = text.find(','); comma != std::string::npos) {
        addr = text.substr(0, comma);
        mode = text.substr(comma + 1);
    }
    Statement s;
    s.words.push_back({addr, false, where});
    if (!mode.empty()) {
        s.words.push_back({"mode", false, where});
        s.words.push_back({mode, false, where});
    }
    return parse_vip(s);
}

} // namespace lvsd::realserver
