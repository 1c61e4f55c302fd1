#include "director/control/ipvsadm_format.h"

#include <arpa/inet.h>
#include <array>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <vector>

namespace lvsd::director::control {

using namespace dataplane;

namespace {

std::string printf_str(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

std::string printf_str(const char* fmt, ...) {
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return "";
    if (static_cast<size_t>(n) < sizeof buf)
        return std::string(buf, n);
    std::string out(n, '\0');
    va_start(ap, fmt);
    std::vsnprintf(out.data(), out.size() + 1, fmt, ap);
    va_end(ap);
    return out;
}

// ---------------------------------------------------------------- ipvsadm's order
//
// ipvsadm sorts with qsort() and comparators that subtract 32-bit words and read the difference
// as a signed int; with addresses far apart (or of two families, as tunnelled destinations can
// be) that difference wraps, and so does the order. We reproduce the comparisons as they are,
// and glibc's merge sort, which gives the same result for any comparator, consistent or not.

std::array<uint32_t, 4> words(const net::IpAddress& a) {
    std::array<uint32_t, 4> w{}; // an IPv4 address is the first word, the rest zero
    int n = a.is_v4() ? 1 : 4;
    for (int i = 0; i < n; ++i)
        w[i] = uint32_t(a.bytes[4 * i]) << 24 | uint32_t(a.bytes[4 * i + 1]) << 16 |
               uint32_t(a.bytes[4 * i + 2]) << 8 | uint32_t(a.bytes[4 * i + 3]);
    return w;
}

int wrapped_diff(uint32_t a, uint32_t b) {
    return static_cast<int32_t>(a - b);
}

// Compared the way the first one's family reads it: four words for IPv6, one for IPv4.
int cmp_addresses(const net::IpAddress& a, const net::IpAddress& b) {
    auto wa = words(a), wb = words(b);
    int r = 0;
    for (int i = 0; r == 0 && i < (a.is_v4() ? 1 : 4); ++i)
        r = wrapped_diff(wa[i], wb[i]);
    return r;
}

int cmp_services(const Service* s1, const Service* s2) {
    const auto &a = s1->key, &b = s2->key;
    if (int r = wrapped_diff(a.fwmark, b.fwmark))
        return r;
    if (int r = a.family - b.family)
        return r;
    if (a.fwmark == 0 && b.fwmark == 0) {
        if (int r = int(a.protocol) - int(b.protocol))
            return r;
        if (int r = cmp_addresses(a.address, b.address))
            return r;
        return int(a.port) - int(b.port);
    }
    return 0;
}

int cmp_destinations(const Destination* d1, const Destination* d2) {
    if (int r = cmp_addresses(d1->key.address, d2->key.address))
        return r;
    return int(d1->key.port) - int(d2->key.port);
}

// glibc's qsort (msort): halves of n/2 and n - n/2, merged taking the left one while cmp <= 0.
template <class T, class Cmp> void merge_sort(std::vector<T*>& v, size_t lo, size_t n, Cmp cmp) {
    if (n <= 1)
        return;
    size_t n1 = n / 2, n2 = n - n1;
    merge_sort(v, lo, n1, cmp);
    merge_sort(v, lo + n1, n2, cmp);
    std::vector<T*> out;
    out.reserve(n);
    size_t i = lo, j = lo + n1;
    while (i < lo + n1 && j < lo + n)
        out.push_back(cmp(v[i], v[j]) <= 0 ? v[i++] : v[j++]);
    while (i < lo + n1)
        out.push_back(v[i++]);
    while (j < lo + n)
        out.push_back(v[j++]);
    std::copy(out.begin(), out.end(), v.begin() + lo);
}

// ---------------------------------------------------------------- pieces of a line

std::string addr_port(const net::IpAddress& a, uint16_t port) {
    return a.is_v4() ? a.str() + ":" + std::to_string(port)
                     : "[" + a.str() + "]:" + std::to_string(port);
}

std::string service_name(const ServiceKey& k) {
    std::string name;
    if (k.fwmark) {
        name = printf_str("FWM  %u", k.fwmark) + (k.family == AF_INET6 ? " IPv6" : "");
    } else {
        name = printf_str("%-4s %s", str(k.protocol).c_str(), addr_port(k.address, k.port).c_str());
        if (k.family != AF_INET6 && name.size() > 33)
            name.resize(33);
    }
    return name;
}

std::string sched_flags(const Service& s) {
    const char* names[3] = {"flag-1", "flag-2", "flag-3"};
    if (s.scheduler == "sh") {
        names[0] = "sh-fallback";
        names[1] = "sh-port";
    } else if (s.scheduler == "mh") {
        names[0] = "mh-fallback";
        names[1] = "mh-port";
    }
    const uint32_t bits[3] = {service_flag::sched1, service_flag::sched2, service_flag::sched3};
    std::string out;
    for (int i = 0; i < 3; ++i)
        if (s.flags & bits[i])
            out += (out.empty() ? "" : ",") + std::string(names[i]);
    return out;
}

std::string ipv4_mask(int prefix_len) {
    uint32_t mask = prefix_len <= 0 ? 0 : ~uint32_t(0) << (32 - std::min(prefix_len, 32));
    return printf_str("%u.%u.%u.%u", mask >> 24, mask >> 16 & 0xff, mask >> 8 & 0xff, mask & 0xff);
}

// "TCP  10.0.0.1:80 rr (flag-1) persistent 300 mask 255.255.255.0 pe sip ops"
std::string service_line(const Service& s) {
    std::string line = service_name(s.key) + " " + s.scheduler;
    if (auto flags = sched_flags(s); !flags.empty())
        line += " (" + flags + ")";
    if (s.persistence) {
        line += printf_str(" persistent %u", s.persistence->timeout);
        int len = s.persistence->prefix_len;
        if (s.key.family == AF_INET && len != 32)
            line += " mask " + ipv4_mask(len);
        if (s.key.family == AF_INET6 && len != 128)
            line += printf_str(" mask %i", len);
        if (!s.pe_name.empty())
            line += " pe " + s.pe_name;
    }
    if (s.flags & service_flag::one_packet)
        line += " ops";
    return line;
}

const char* forward_name(Forward f) {
    switch (f) {
    case Forward::nat:
        return "Masq";
    case Forward::local:
        return "Local";
    case Forward::tun:
        return "Tunnel";
    case Forward::dr:
        return "Route";
    }
    return "";
}

// "ipip", "gue:6080:+c", "gre:-c"; "n/a" when not tunnelled.
std::string tunnel_info(const Destination& d) {
    if (d.forward != Forward::tun)
        return "n/a";
    const char* csum = d.tunnel_flags & tunnel_flag::csum      ? "+c"
                       : d.tunnel_flags & tunnel_flag::remcsum ? "r+c"
                                                               : "-c";
    switch (d.tunnel_type) {
    case TunnelType::ipip:
        return "ipip";
    case TunnelType::gue:
        return printf_str("gue:%u:%s", d.tunnel_port, csum);
    case TunnelType::gre:
        return printf_str("gre:%s", csum);
    }
    return "";
}

std::string counters(std::initializer_list<uint64_t> values, bool exact) {
    std::string out;
    for (auto v : values)
        out += format_counter(v, exact);
    return out;
}

std::string title(ListLayout layout) {
    const char* local = "Prot LocalAddress:Port";
    const char* remote = "  -> RemoteAddress:Port\n";
    switch (layout) {
    case ListLayout::stats:
        return printf_str("%-33s %8s %8s %8s %8s %8s\n", local, "Conns", "InPkts", "OutPkts",
                          "InBytes", "OutBytes") +
               remote;
    case ListLayout::rate:
        return printf_str("%-33s %8s %8s %8s %8s %8s\n", local, "CPS", "InPPS", "OutPPS", "InBPS",
                          "OutBPS") +
               remote;
    case ListLayout::thresholds:
        return printf_str("%-33s %-10s %-10s %-10s %-10s\n", local, "Uthreshold", "Lthreshold",
                          "ActiveConn", "InActConn") +
               remote;
    case ListLayout::persistent_conn:
        return printf_str("%-33s %-9s %-11s %-10s %-10s\n", local, "Weight", "PersistConn",
                          "ActiveConn", "InActConn") +
               remote;
    case ListLayout::tun_info:
        return "Prot LocalAddress:Port Scheduler Flags\n"
               "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn "
               "InActConn\n";
    case ListLayout::plain:
        break;
    }
    return "Prot LocalAddress:Port Scheduler Flags\n"
           "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";
}

std::string service_text(const Service& s, const ListOptions& o) {
    std::string out;
    const Stats& st = s.stats;
    if (o.layout == ListLayout::stats)
        out = printf_str("%-33s", service_name(s.key).c_str()) +
              counters({st.conns, st.inpkts, st.outpkts, st.inbytes, st.outbytes}, o.exact);
    else if (o.layout == ListLayout::rate)
        out = printf_str("%-33s", service_name(s.key).c_str()) +
              counters({st.cps, st.inpps, st.outpps, st.inbps, st.outbps}, o.exact);
    else
        out = service_line(s);
    out += '\n';
    return out;
}

std::string destination_text(const Destination& d, const ListOptions& o) {
    std::string name = addr_port(d.key.address, d.key.port);
    const char* n = name.c_str();
    const Stats& st = d.stats;
    switch (o.layout) {
    case ListLayout::stats:
        return printf_str("  -> %-28s", n) +
               counters({st.conns, st.inpkts, st.outpkts, st.inbytes, st.outbytes}, o.exact) + "\n";
    case ListLayout::rate:
        return printf_str("  -> %-28s %8" PRIu64 " %8" PRIu64 " %8" PRIu64, n, st.cps, st.inpps,
                          st.outpps) +
               counters({st.inbps, st.outbps}, o.exact) + "\n";
    case ListLayout::thresholds:
        return printf_str("  -> %-28s %-10u %-10u %-10u %-10u\n", n, d.u_threshold, d.l_threshold,
                          d.active_conns, d.inactive_conns);
    case ListLayout::persistent_conn:
        return printf_str("  -> %-28s %-9u %-11u %-10u %-10u\n", n, unsigned(d.weight),
                          d.persist_conns, d.active_conns, d.inactive_conns);
    case ListLayout::tun_info:
        return printf_str("  -> %-28s %-7s %-13s %-6d %-10u %-10u\n", n, forward_name(d.forward),
                          tunnel_info(d).c_str(), d.weight, d.active_conns, d.inactive_conns);
    case ListLayout::plain:
        break;
    }
    return printf_str("  -> %-28s %-7s %-6d %-10u %-10u\n", n, forward_name(d.forward), d.weight,
                      d.active_conns, d.inactive_conns);
}

} // namespace

std::string version_line(const IpvsVersion& v) {
    return printf_str("IP Virtual Server version %u.%u.%u (size=%u)\n", v.code >> 16 & 0xff,
                      v.code >> 8 & 0xff, v.code & 0xff, v.conn_table_size);
}

std::string format_counter(uint64_t i, bool exact) {
    if (exact) {
        std::string digits = std::to_string(i);
        size_t width = digits.size() <= 8 ? 9 : digits.size() + 1;
        return std::string(width - digits.size(), ' ') + digits;
    }
    if (i < 100000000ULL)
        return printf_str("%9" PRIu64, i);
    if (i < 1000000000ULL)
        return printf_str("%8" PRIu64 "K", i / 1000);
    if (i < 100000000000ULL)
        return printf_str("%8" PRIu64 "M", i / 1000000);
    if (i < 100000000000000ULL)
        return printf_str("%8" PRIu64 "G", i / uint64_t{1000000000});
    return printf_str("%8" PRIu64 "T", i / uint64_t{1000000000000});
}

std::string format_listing(const Table& table, const ListOptions& options) {
    std::string out = title(options.layout);
    std::vector<const Service*> services;
    for (const auto& [key, s] : table.services)
        services.push_back(&s);
    merge_sort(services, 0, services.size(), cmp_services);
    for (const Service* s : services) {
        out += service_text(*s, options);
        std::vector<const Destination*> dests;
        for (const auto& [key, d] : s->destinations)
            dests.push_back(&d);
        merge_sort(dests, 0, dests.size(), cmp_destinations);
        for (const Destination* d : dests)
            out += destination_text(*d, options);
    }
    return out;
}

} // namespace lvsd::director::control
