#include "director/dataplane/table_json.h"

#include <stdexcept>
#include <sys/socket.h>

namespace lvsd::director::dataplane {

using nlohmann::json;

namespace {

const std::pair<uint32_t, const char*> service_flag_names[] = {
    {service_flag::sched1, "flag-1"},
    {service_flag::sched2, "flag-2"},
    {service_flag::sched3, "flag-3"},
    {service_flag::one_packet, "ops"},
};
const std::pair<uint16_t, const char*> tunnel_flag_names[] = {
    {tunnel_flag::csum, "csum"},
    {tunnel_flag::remcsum, "remcsum"},
};

json stats_json(const Stats& s) {
    return {{"conns", s.conns},     {"inpkts", s.inpkts},     {"outpkts", s.outpkts},
            {"inbytes", s.inbytes}, {"outbytes", s.outbytes}, {"cps", s.cps},
            {"inpps", s.inpps},     {"outpps", s.outpps},     {"inbps", s.inbps},
            {"outbps", s.outbps}};
}

Stats stats_from_json(const json& j) {
    Stats s;
    s.conns = j.value("conns", uint64_t{0});
    s.inpkts = j.value("inpkts", uint64_t{0});
    s.outpkts = j.value("outpkts", uint64_t{0});
    s.inbytes = j.value("inbytes", uint64_t{0});
    s.outbytes = j.value("outbytes", uint64_t{0});
    s.cps = j.value("cps", uint64_t{0});
    s.inpps = j.value("inpps", uint64_t{0});
    s.outpps = j.value("outpps", uint64_t{0});
    s.inbps = j.value("inbps", uint64_t{0});
    s.outbps = j.value("outbps", uint64_t{0});
    return s;
}

template <class Bits, size_t N>
json flag_names(Bits v, const std::pair<Bits, const char*> (&names)[N]) {
    json out = json::array();
    for (const auto& [bit, name] : names)
        if (v & bit)
            out.push_back(name);
    return out;
}

template <class Bits, size_t N>
Bits flag_bits(const json& j, const std::pair<Bits, const char*> (&names)[N], const char* what) {
    Bits v = 0;
    for (const auto& f : j) {
        bool known = false;
        for (const auto& [bit, name] : names)
            if (f.get<std::string>() == name) {
                v |= bit;
                known = true;
            }
        if (!known)
            throw std::invalid_argument(std::string("unknown ") + what + " '" +
                                        f.get<std::string>() + "'");
    }
    return v;
}

net::IpAddress address(const json& j, const char* what) {
    auto a = net::IpAddress::parse(j.get<std::string>());
    if (!a)
        throw std::invalid_argument(std::string("bad ") + what + " '" + j.get<std::string>() + "'");
    return *a;
}

} // namespace

json to_json(const Table& t) {
    json services = json::array();
    for (const auto& [key, s] : t.services) {
        json js;
        if (key.fwmark) {
            js["fwmark"] = key.fwmark;
            js["family"] = key.family == AF_INET6 ? "inet6" : "inet";
        } else {
            js["protocol"] = str(key.protocol);
            js["address"] = key.address.str();
            js["port"] = key.port;
        }
        js["scheduler"] = s.scheduler;
        js["flags"] = flag_names(s.flags, service_flag_names);
        if (s.persistence)
            js["persistence"] = {{"timeout", s.persistence->timeout},
                                 {"prefix_len", s.persistence->prefix_len}};
        if (!s.pe_name.empty())
            js["pe_name"] = s.pe_name;
        js["stats"] = stats_json(s.stats);
        json dests = json::array();
        for (const auto& [dk, d] : s.destinations) {
            json jd = {{"address", dk.address.str()},  {"port", dk.port},
                       {"forward", str(d.forward)},    {"weight", d.weight},
                       {"u_threshold", d.u_threshold}, {"l_threshold", d.l_threshold}};
            if (d.forward == Forward::tun)
                jd["tunnel"] = {{"type", str(d.tunnel_type)},
                                {"port", d.tunnel_port},
                                {"flags", flag_names(d.tunnel_flags, tunnel_flag_names)}};
            jd["active_conns"] = d.active_conns;
            jd["inactive_conns"] = d.inactive_conns;
            jd["persist_conns"] = d.persist_conns;
            jd["stats"] = stats_json(d.stats);
            dests.push_back(std::move(jd));
        }
        js["destinations"] = std::move(dests);
        services.push_back(std::move(js));
    }
    return {{"services", services}};
}

Table table_from_json(const json& j, Counters counters) {
    const bool with_counters = counters == Counters::read;
    Table t;
    try {
        for (const auto& js : j.at("services")) {
            Service s;
            if (js.contains("fwmark")) {
                std::string fam = js.value("family", "inet");
                if (fam != "inet" && fam != "inet6")
                    throw std::invalid_argument("family must be inet or inet6");
                s.key = ServiceKey::by_fwmark(fam == "inet6" ? AF_INET6 : AF_INET,
                                              js.at("fwmark").get<uint32_t>());
            } else {
                auto p = parse_protocol(js.value("protocol", "TCP"));
                if (!p)
                    throw std::invalid_argument("protocol must be TCP, UDP or SCTP");
                s.key = ServiceKey::by_address(*p, address(js.at("address"), "address"),
                                               js.at("port").get<uint16_t>());
            }
            s.scheduler = js.value("scheduler", "wlc");
            if (js.contains("flags"))
                s.flags = flag_bits(js["flags"], service_flag_names, "service flag");
            if (js.contains("persistence")) {
                const auto& p = js["persistence"];
                s.persistence =
                    Persistence{p.at("timeout").get<uint32_t>(),
                                p.value("prefix_len", s.key.family == AF_INET6 ? 128 : 32)};
            }
            s.pe_name = js.value("pe_name", "");
            if (with_counters && js.contains("stats"))
                s.stats = stats_from_json(js["stats"]);
            for (const auto& jd : js.value("destinations", json::array())) {
                Destination d;
                d.key.address = address(jd.at("address"), "destination address");
                d.key.port = jd.value("port", s.key.port);
                auto f = parse_forward(jd.value("forward", "NAT"));
                if (!f)
                    throw std::invalid_argument("forward must be NAT, DR or TUN");
                d.forward = *f;
                d.weight = jd.value("weight", 1);
                d.u_threshold = jd.value("u_threshold", 0u);
                d.l_threshold = jd.value("l_threshold", 0u);
                if (jd.contains("tunnel")) {
                    const auto& jt = jd["tunnel"];
                    auto tt = parse_tunnel_type(jt.value("type", "ipip"));
                    if (!tt)
                        throw std::invalid_argument("tunnel type must be ipip, gue or gre");
                    d.tunnel_type = *tt;
                    d.tunnel_port = jt.value("port", uint16_t{0});
                    if (jt.contains("flags"))
                        d.tunnel_flags = flag_bits(jt["flags"], tunnel_flag_names, "tunnel flag");
                }
                if (with_counters) {
                    d.active_conns = jd.value("active_conns", 0u);
                    d.inactive_conns = jd.value("inactive_conns", 0u);
                    d.persist_conns = jd.value("persist_conns", 0u);
                    if (jd.contains("stats"))
                        d.stats = stats_from_json(jd["stats"]);
                }
                s.add(d);
            }
            t.add(s);
        }
    } catch (const json::exception& e) {
        throw std::invalid_argument(e.what());
    }
    return t;
}

} // namespace lvsd::director::dataplane
