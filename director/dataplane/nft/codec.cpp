// The comments that carry our settings in nft elements, and the State read back from nft JSON.
#include "director/dataplane/nft/model.h"

#include <sstream>
#include <string_view>
#include <sys/socket.h>

namespace lvsd::director::dataplane::nft {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        auto pos = s.find(sep, start);
        out.push_back(s.substr(start, pos - start));
        if (pos == std::string::npos)
            return out;
        start = pos + 1;
    }
}

std::optional<uint64_t> to_u64(const std::string& s) {
    if (s.empty() || s.size() > 20)
        return std::nullopt;
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    return v;
}

std::string lower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

} // namespace

std::string encode(const DestinationKey& k) {
    return k.address.str() + "|" + std::to_string(k.port);
}

std::optional<DestinationKey> decode_destination_key(const std::string& c) {
    auto f = split(c, '|');
    if (f.size() != 2)
        return std::nullopt;
    auto a = net::IpAddress::parse(f[0]);
    auto p = to_u64(f[1]);
    if (!a || !p || *p > 65535)
        return std::nullopt;
    auto addr = *a;
    addr.prefix_len = addr.max_prefix();
    return DestinationKey{addr, static_cast<uint16_t>(*p)};
}

// Service: "1|TCP|10.0.0.1|80|mh|flags|ptimeout|pprefix|pe|slots|seed", a fwmark service
// "1|FWM|7|4|..." (mark, IP version).
std::string encode(const ServiceState& s) {
    const auto& v = s.service;
    std::ostringstream o;
    if (v.key.fwmark)
        o << "1|FWM|" << v.key.fwmark << "|" << (v.key.family == AF_INET6 ? 6 : 4) << "|";
    else
        o << "1|" << str(v.key.protocol) << "|" << v.key.address.str() << "|" << v.key.port << "|";
    o << v.scheduler << "|" << v.flags << "|" << (v.persistence ? v.persistence->timeout : 0) << "|"
      << (v.persistence ? v.persistence->prefix_len : 0) << "|" << v.pe_name << "|" << s.slots
      << "|" << s.seed;
    return o.str();
}

std::optional<ServiceState> decode_service(const std::string& comment, Place place) {
    auto f = split(comment, '|');
    if (f.size() != 11 || f[0] != "1")
        return std::nullopt;
    auto flags = to_u64(f[5]), pt = to_u64(f[6]), pp = to_u64(f[7]);
    auto slots = to_u64(f[9]), seed = to_u64(f[10]);
    if (!flags || !pt || !pp || !slots || !seed)
        return std::nullopt;
    ServiceState s;
    if (f[1] == "FWM") {
        auto mark = to_u64(f[2]);
        if (!mark || *mark == 0 || *mark > 0xffffffffu || (f[3] != "4" && f[3] != "6"))
            return std::nullopt;
        s.service.key =
            ServiceKey::by_fwmark(f[3] == "6" ? AF_INET6 : AF_INET, static_cast<uint32_t>(*mark));
    } else {
        auto p = parse_protocol(f[1]);
        auto a = net::IpAddress::parse(f[2]);
        auto port = to_u64(f[3]);
        if (!p || !a || !port || *port > 65535)
            return std::nullopt;
        s.service.key = ServiceKey::by_address(*p, *a, static_cast<uint16_t>(*port));
    }
    s.service.scheduler = f[4];
    s.service.flags = static_cast<uint32_t>(*flags);
    if (*pt)
        s.service.persistence = Persistence{static_cast<uint32_t>(*pt), static_cast<int>(*pp)};
    s.service.pe_name = f[8];
    s.place = place;
    s.slots = static_cast<uint32_t>(*slots);
    s.seed = static_cast<uint32_t>(*seed);
    return s;
}

// Destination: "dr|weight|u|l|10.0.0.2|80"
std::string encode(const Destination& d) {
    std::ostringstream o;
    o << lower(str(d.forward)) << "|" << d.weight << "|" << d.u_threshold << "|" << d.l_threshold
      << "|" << encode(d.key);
    return o.str();
}

std::optional<Destination> decode_destination(const std::string& comment) {
    auto f = split(comment, '|');
    if (f.size() != 6)
        return std::nullopt;
    auto fw = parse_forward(f[0]);
    auto u = to_u64(f[2]), l = to_u64(f[3]);
    auto k = decode_destination_key(f[4] + "|" + f[5]);
    int weight = 0;
    try {
        weight = std::stoi(f[1]);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    if (!fw || !u || !l || !k)
        return std::nullopt;
    Destination d;
    d.key = *k;
    d.forward = *fw;
    d.weight = weight;
    d.u_threshold = static_cast<uint32_t>(*u);
    d.l_threshold = static_cast<uint32_t>(*l);
    return d;
}

namespace {

// An element as nft's JSON prints it: a bare value, or {"elem": {"val": ..., "comment": ...}}.
std::string elem_comment(const nlohmann::json& e) {
    if (e.is_object() && e.contains("elem") && e["elem"].is_object())
        return e["elem"].value("comment", "");
    return "";
}

const nlohmann::json* elem_val(const nlohmann::json& e) {
    if (e.is_object() && e.contains("elem") && e["elem"].is_object() && e["elem"].contains("val"))
        return &e["elem"]["val"];
    return &e;
}

std::optional<Place> parse_place(const std::string& f) {
    if (f == "netdev")
        return Place::netdev;
    if (f == "ip")
        return Place::ip;
    if (f == "ip6")
        return Place::ip6;
    return std::nullopt;
}

bool ends_with(const std::string& name, const char* suffix) {
    std::string_view n = name, x = suffix;
    return n.size() > x.size() && n.substr(n.size() - x.size()) == x;
}

} // namespace

State parse_state(const std::vector<nlohmann::json>& listings) {
    State st;
    struct Extra {
        std::map<DestinationKey, Destination> dests;
        std::map<uint32_t, DestinationKey> est;
        bool drain_objects = false;
    };
    std::map<std::string, Extra> extra; // by object id
    for (const auto& doc : listings) {
        if (!doc.contains("nftables") || !doc["nftables"].is_array())
            continue;
        for (const auto& item : doc["nftables"]) {
            if (item.contains("table")) {
                const auto& t = item["table"];
                if (t.value("name", "") == "lvsd")
                    if (auto p = parse_place(t.value("family", "")))
                        st.tables.insert(*p);
                continue;
            }
            const nlohmann::json* obj = nullptr;
            if (item.contains("map"))
                obj = &item["map"];
            else if (item.contains("set"))
                obj = &item["set"];
            if (!obj || obj->value("table", "") != "lvsd")
                continue;
            auto place = parse_place(obj->value("family", ""));
            if (!place)
                continue;
            std::string name = obj->value("name", "");
            if (ends_with(name, "_est")) // listed at all: the drain's objects exist
                extra[name.substr(0, name.size() - 4)].drain_objects = true;
            if (!obj->contains("elem"))
                continue;
            for (const auto& e : (*obj)["elem"]) {
                // Map elements are [key, value] pairs; set elements are the key alone.
                const auto& k = e.is_array() && e.size() == 2 ? e[0] : e;
                auto comment = elem_comment(k);
                if (comment.empty())
                    continue;
                if (name == "svc4" || name == "svc6" || name == "fwm4" || name == "fwm6") {
                    if (auto s = decode_service(comment, *place))
                        st.services[s->service.key] = *s;
                } else if (ends_with(name, "_dst")) {
                    if (auto d = decode_destination(comment))
                        extra[name.substr(0, name.size() - 4)].dests[d->key] = *d;
                } else if (ends_with(name, "_est")) {
                    const auto* v = elem_val(k);
                    auto dk = decode_destination_key(comment);
                    if (v->is_number_unsigned() && dk)
                        extra[name.substr(0, name.size() - 4)].est[v->get<uint32_t>()] = *dk;
                }
            }
        }
    }
    for (auto& [key, s] : st.services) {
        auto it = extra.find(object_id(key));
        if (it == extra.end())
            continue;
        s.service.destinations = it->second.dests;
        s.est = it->second.est;
        s.drain_objects = it->second.drain_objects;
    }
    return st;
}

} // namespace lvsd::director::dataplane::nft
