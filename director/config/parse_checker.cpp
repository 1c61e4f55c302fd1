// The health checkers inside a real_server. Each kind accepts the keywords keepalived accepts for
// it: the connection and retry settings most share, plus its own.
#include "director/config/sections.h"

#include <cctype>
#include <initializer_list>

namespace lvsd::director::config {

using conf::Statement;

namespace {

using Table = KeywordTable<Checker>;

template <class D> D& detail(Checker& c) {
    return std::get<D>(c.detail);
}

void opt_number(std::optional<double>& slot, const Statement& s, ParseContext& ctx) {
    if (auto v = number_arg(s, 0, 86400, ctx))
        slot = v;
}

void retry(const Statement& s, ParseContext& ctx, Checker& c) {
    if (auto v = int_arg(s, 0, 2147483647L, ctx))
        c.common.retry = static_cast<int>(*v);
}

// Retry and timing settings: every checker but FILE_CHECK.
const Table timing = {
    {"retry", retry},
    {"nb_get_retry", retry}, // deprecated synonym, kept by the classic LVS recipes
    {"delay_before_retry", [](const Statement& s, ParseContext& ctx,
                              Checker& c) { opt_number(c.common.delay_before_retry, s, ctx); }},
    {"delay_loop", [](const Statement& s, ParseContext& ctx,
                      Checker& c) { opt_number(c.common.delay_loop, s, ctx); }},
    {"warmup", [](const Statement& s, ParseContext& ctx,
                  Checker& c) { opt_number(c.common.warmup, s, ctx); }},
    {"alpha",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         no_args(s, ctx);
         c.common.alpha = true;
     }},
    {"log_all_failures",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         no_args(s, ctx);
         c.common.log_all_failures = true;
     }},
};

// Where and how to connect: the network checkers.
const Table connection = {
    {"connect_ip",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         if (auto a = ip_arg(s, ctx))
             c.common.connect_ip = a;
     }},
    {"connect_port",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         if (has_args(s, 1, ctx))
             if (auto p = to_port(s.arg(0), ctx))
                 c.common.connect_port = p;
     }},
    {"bindto",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         if (auto a = ip_arg(s, ctx))
             c.common.bindto = a;
     }},
    {"bind_port",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         if (has_args(s, 1, ctx))
             if (auto p = to_port(s.arg(0), ctx))
                 c.common.bind_port = p;
     }},
    {"bind_if",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         if (auto v = string_arg(s, ctx))
             c.common.bind_if = *v;
     }},
    {"connect_timeout", [](const Statement& s, ParseContext& ctx,
                           Checker& c) { opt_number(c.common.connect_timeout, s, ctx); }},
    {"fwmark",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         if (auto v = int_arg(s, 0, 4294967295L, ctx))
             c.common.fwmark = static_cast<unsigned>(*v);
     }},
};

// `status_code 200 301-302`: single codes and ranges.
void status_codes(const Statement& s, ParseContext& ctx, HttpUrl& u) {
    if (!has_args(s, 1, ctx))
        return;
    for (size_t i = 0; i < s.arg_count(); ++i) {
        const auto& w = s.arg(i);
        size_t dash = w.text.find('-');
        conf::Word lo{w.text.substr(0, dash), false, w.where};
        auto a = to_int(lo, 100, 599, ctx);
        if (!a)
            continue;
        long b = *a;
        if (dash != std::string::npos) {
            conf::Word hi{w.text.substr(dash + 1), false, w.where};
            hi.where.col += static_cast<int>(dash + 1);
            auto v = to_int(hi, *a, 599, ctx);
            if (!v)
                continue;
            b = *v;
        }
        u.status_codes.emplace_back(static_cast<int>(*a), static_cast<int>(b));
    }
}

const KeywordTable<HttpUrl> url_table = {
    {"path",
     [](const Statement& s, ParseContext& ctx, HttpUrl& u) {
         if (auto v = string_arg(s, ctx))
             u.path = *v;
     }},
    {"digest",
     [](const Statement& s, ParseContext& ctx, HttpUrl& u) {
         if (!has_args(s, 1, ctx))
             return;
         const auto& w = s.arg(0);
         bool hex = w.text.size() == 32;
         for (char ch : w.text)
             hex = hex && std::isxdigit(static_cast<unsigned char>(ch));
         if (!hex)
             return ctx.error(w.where, "digest must be 32 hex digits (an MD5 sum)");
         u.digest = w.text;
         for (auto& ch : u.digest)
             ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
     }},
    {"status_code", status_codes},
    {"virtualhost",
     [](const Statement& s, ParseContext& ctx, HttpUrl& u) {
         if (auto v = string_arg(s, ctx))
             u.virtualhost = *v;
     }},
};

void url(const Statement& s, ParseContext& ctx, Checker& c) {
    if (!needs_block(s, ctx))
        return;
    HttpUrl u;
    u.where = s.where();
    auto& h = detail<HttpCheck>(c);
    std::string section =
        std::string("virtual_server/real_server/") + (h.ssl ? "SSL_GET" : "HTTP_GET") + "/url";
    parse_block(s.block, section, url_table, ctx, u);
    if (u.path.empty())
        return ctx.error(s.where(), "url needs a path");
    h.urls.push_back(std::move(u));
}

const Table http = {
    {"url", url},
    {"virtualhost",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         if (auto v = string_arg(s, ctx))
             detail<HttpCheck>(c).virtualhost = *v;
     }},
    {"http_protocol",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         if (!has_args(s, 1, ctx))
             return;
         const auto& w = s.arg(0);
         if (w.text != "1.0" && w.text != "1.0C" && w.text != "1.0c" && w.text != "1.1")
             return ctx.error(w.where, "http_protocol must be 1.0, 1.0C or 1.1");
         detail<HttpCheck>(c).http_protocol = w.text;
     }},
    {"enable_sni",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         no_args(s, ctx);
         detail<HttpCheck>(c).enable_sni = true;
     }},
    {"sni_name",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         if (auto v = string_arg(s, ctx))
             detail<HttpCheck>(c).sni_name = *v;
     }},
    {"fast_recovery",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         no_args(s, ctx);
         detail<HttpCheck>(c).fast_recovery = true;
     }},
    {"tls_compliant",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         no_args(s, ctx);
         detail<HttpCheck>(c).tls_compliant = true;
     }},
};

const Table misc = {
    {"misc_path",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         if (auto sc = script_arg(s, ctx))
             detail<MiscCheck>(c).misc_path = *sc;
     }},
    {"misc_timeout",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         if (auto v = number_arg(s, 0.001, 86400, ctx))
             detail<MiscCheck>(c).misc_timeout = v;
     }},
    {"misc_dynamic",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         no_args(s, ctx);
         detail<MiscCheck>(c).misc_dynamic = true;
     }},
    {"user",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         if (!has_args(s, 1, ctx))
             return;
         auto& p = detail<MiscCheck>(c).misc_path;
         p.user = s.arg(0).text;
         if (s.arg_count() > 1)
             p.group = s.arg(1).text;
     }},
};

const Table smtp = {
    {"helo_name",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         if (auto v = string_arg(s, ctx))
             detail<SmtpCheck>(c).helo_name = *v;
     }},
};

const Table dns = {
    {"type",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         static const std::initializer_list<std::string_view> types = {"A",  "NS",  "CNAME", "SOA",
                                                                       "MX", "TXT", "AAAA"};
         if (!has_args(s, 1, ctx))
             return;
         std::string t = s.arg(0).text;
         for (auto& ch : t)
             ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
         for (auto known : types)
             if (t == known)
                 return void(detail<DnsCheck>(c).type = t);
         ctx.error(s.arg(0).where,
                   "unknown DNS type '" + s.arg(0).text + "' (A, NS, CNAME, SOA, MX, TXT or AAAA)");
     }},
    {"name",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         if (auto v = string_arg(s, ctx))
             detail<DnsCheck>(c).name = *v;
     }},
};

const Table udp = {
    {"payload",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         if (auto v = string_arg(s, ctx))
             detail<UdpCheck>(c).payload = *v;
     }},
    {"require_reply",
     [](const Statement& s, ParseContext&, Checker& c) {
         auto& u = detail<UdpCheck>(c);
         u.require_reply = true;
         if (s.arg_count() > 0)
             u.reply_pattern = s.arg(0).text;
     }},
    {"min_reply_length",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         if (auto v = int_arg(s, 0, 65535, ctx))
             detail<UdpCheck>(c).min_reply_length = static_cast<int>(*v);
     }},
    {"max_reply_length",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         if (auto v = int_arg(s, 0, 65535, ctx))
             detail<UdpCheck>(c).max_reply_length = static_cast<int>(*v);
     }},
};

const Table file = {
    {"track_file",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         if (auto v = string_arg(s, ctx))
             detail<FileCheck>(c).track_file = *v;
     }},
    {"weight",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         auto& f = detail<FileCheck>(c);
         if (auto v = int_arg(s, -65535, 65535, ctx))
             f.weight = static_cast<int>(*v);
         if (s.arg_count() > 1)
             f.reverse = s.arg(1).text == "reverse";
     }},
};

const Table agent = {
    {"connect_port",
     [](const Statement& s, ParseContext& ctx, Checker& c) {
         if (auto v = int_arg(s, 1, 65535, ctx))
             detail<AgentCheck>(c).connect_port = static_cast<int>(*v);
     }},
};

Table merge(std::initializer_list<const Table*> parts) {
    Table t;
    for (const Table* p : parts)
        t.insert(p->begin(), p->end());
    return t;
}

struct Kind {
    CheckerKind kind;
    Table table;
};

const std::unordered_map<std::string_view, Kind>& kinds() {
    static const std::unordered_map<std::string_view, Kind> k = {
        {"TCP_CHECK", {CheckerKind::tcp, merge({&timing, &connection})}},
        {"HTTP_GET", {CheckerKind::http, merge({&timing, &connection, &http})}},
        {"SSL_GET", {CheckerKind::ssl, merge({&timing, &connection, &http})}},
        {"MISC_CHECK", {CheckerKind::misc, merge({&timing, &misc})}},
        {"SMTP_CHECK", {CheckerKind::smtp, merge({&timing, &connection, &smtp})}},
        {"DNS_CHECK", {CheckerKind::dns, merge({&timing, &connection, &dns})}},
        {"UDP_CHECK", {CheckerKind::udp, merge({&timing, &connection, &udp})}},
        {"PING_CHECK", {CheckerKind::ping, merge({&timing, &connection})}},
        {"FILE_CHECK", {CheckerKind::file, merge({&file})}},
        // Its own connect_port first: merge() keeps the first entry of a keyword.
        {"AGENT_CHECK", {CheckerKind::agent, merge({&agent, &timing, &connection})}},
    };
    return k;
}

} // namespace

std::string_view checker_keyword(CheckerKind k) {
    for (const auto& [name, kind] : kinds())
        if (kind.kind == k)
            return name;
    return "?";
}

void parse_checker(const Statement& s, ParseContext& ctx, RealServer& rs) {
    const Kind& kind = kinds().at(s.keyword());
    Checker c;
    c.kind = kind.kind;
    c.common.where = s.where();
    switch (c.kind) {
    case CheckerKind::tcp:
        c.detail = TcpCheck{};
        break;
    case CheckerKind::http:
    case CheckerKind::ssl:
        c.detail = HttpCheck{c.kind == CheckerKind::ssl, {}, {}, {}, false, {}, false, false};
        break;
    case CheckerKind::misc:
        c.detail = MiscCheck{};
        break;
    case CheckerKind::smtp:
        c.detail = SmtpCheck{};
        break;
    case CheckerKind::dns:
        c.detail = DnsCheck{};
        break;
    case CheckerKind::udp:
        c.detail = UdpCheck{};
        break;
    case CheckerKind::ping:
        c.detail = PingCheck{};
        break;
    case CheckerKind::file:
        c.detail = FileCheck{};
        break;
    case CheckerKind::agent:
        c.detail = AgentCheck{};
        break;
    }
    if (s.has_block)
        parse_block(s.block, "virtual_server/real_server/" + s.keyword(), kind.table, ctx, c);
    if (c.kind == CheckerKind::misc && detail<MiscCheck>(c).misc_path.command.empty())
        return ctx.error(s.where(), "MISC_CHECK needs a misc_path");
    if (c.kind == CheckerKind::agent && detail<AgentCheck>(c).connect_port == 0)
        return ctx.error(s.where(), "AGENT_CHECK needs a connect_port");
    if (c.kind == CheckerKind::file && detail<FileCheck>(c).track_file.empty())
        return ctx.error(s.where(), "FILE_CHECK needs a track_file");
    rs.checkers.push_back(std::move(c));
}

} // namespace lvsd::director::config
