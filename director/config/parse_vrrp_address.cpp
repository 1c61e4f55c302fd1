// The line-per-entry blocks of a vrrp_instance: virtual_ipaddress and virtual_routes.
#include "director/config/vrrp_address_parse.h"

#include <unordered_set>

namespace lvsd::director::config {

using conf::Statement;

namespace {

// Options of `ip address add` keepalived accepts after a VIP and that we pass through unmodelled.
const std::unordered_set<std::string_view> vip_flags = {
    "home", "-nodad", "nodad", "mngtmpaddr", "noprefixroute", "autojoin", "use_vmac",
};
const std::unordered_set<std::string_view> vip_options_with_value = {"peer", "preferred_lft",
                                                                     "track_group"};

} // namespace

std::optional<VirtualAddress> parse_virtual_address(const Statement& line, ParseContext& ctx) {
    VirtualAddress v;
    v.where = line.where();
    auto addr = to_ip(line.words[0], ctx, true);
    if (!addr)
        return std::nullopt;
    v.address = *addr;
    for (size_t i = 1; i < line.words.size(); ++i) {
        const auto& w = line.words[i];
        bool has_value = i + 1 < line.words.size();
        if (w.text == "no_track") {
            v.no_track = true;
        } else if (vip_flags.count(w.text)) {
            // accepted, not modelled
        } else if (w.text == "dev" || w.text == "scope" || w.text == "label" || w.text == "brd" ||
                   w.text == "broadcast" || vip_options_with_value.count(w.text)) {
            if (!has_value) {
                ctx.error(w.where, "'" + w.text + "' needs a value");
                return std::nullopt;
            }
            const auto& val = line.words[++i];
            if (w.text == "dev")
                v.dev = val.text;
            else if (w.text == "scope")
                v.scope = val.text;
            else if (w.text == "label")
                v.label = val.text;
            else if (w.text == "brd" || w.text == "broadcast") {
                auto b = to_ip(val, ctx, false);
                if (!b)
                    return std::nullopt;
                if (b->family != v.address.family) {
                    ctx.error(val.where,
                              "broadcast '" + val.text + "' is not of the address's family");
                    return std::nullopt;
                }
                v.broadcast = b;
            }
        } else {
            ctx.warning(w.where, "unknown option '" + w.text + "' for a virtual address; ignored");
        }
    }
    return v;
}

std::optional<VirtualRoute> parse_virtual_route(const Statement& line, ParseContext& ctx) {
    static const std::unordered_set<std::string_view> types = {
        "blackhole", "unreachable", "prohibit", "throw",     "unicast",
        "local",     "broadcast",   "anycast",  "multicast", "nat"};
    VirtualRoute r;
    r.where = line.where();
    const auto& w = line.words;
    size_t i = 0;
    bool have_dst = false;
    auto value = [&](size_t& i) -> const conf::Word* {
        if (i + 1 >= w.size()) {
            ctx.error(w[i].where, "'" + w[i].text + "' needs a value");
            return nullptr;
        }
        return &w[++i];
    };
    for (; i < w.size(); ++i) {
        const std::string& t = w[i].text;
        if (!have_dst && i == 0 && types.count(t)) {
            r.type = t;
        } else if (t == "src") {
            auto v = value(i);
            if (!v)
                return std::nullopt;
            if (!(r.source = to_ip(*v, ctx, false)))
                return std::nullopt;
        } else if (t == "via" || t == "gw") {
            auto v = value(i);
            if (!v)
                return std::nullopt;
            // `via inet6 ADDR` names the family explicitly.
            if ((v->text == "inet" || v->text == "inet6") && (v = value(i)) == nullptr)
                return std::nullopt;
            if (!(r.via = to_ip(*v, ctx, false)))
                return std::nullopt;
        } else if (t == "dev" || t == "oif" || t == "table" || t == "scope" || t == "metric" ||
                   t == "preference" || t == "priority") {
            auto v = value(i);
            if (!v)
                return std::nullopt;
            if (t == "dev" || t == "oif")
                r.dev = v->text;
            else if (t == "table")
                r.table = v->text;
            else if (t == "scope")
                r.scope = v->text;
            else if (auto m = to_int(*v, 0, 4294967295L, ctx))
                r.metric = static_cast<unsigned>(*m);
            else
                return std::nullopt;
        } else if (!have_dst &&
                   (t == "to" || t == "default" || t.find_first_of(".:") != std::string::npos)) {
            const conf::Word* d = &w[i];
            if (t == "to" && (d = value(i)) == nullptr)
                return std::nullopt;
            if (d->text == "default") {
                r.destination = *net::IpAddress::parse("0.0.0.0/0");
            } else if (auto a = to_ip(*d, ctx, true)) {
                r.destination = *a;
            } else {
                return std::nullopt;
            }
            have_dst = true;
        } else {
            r.other.push_back(t);
        }
    }
    if (!have_dst) {
        ctx.error(line.where(), "route has no destination");
        return std::nullopt;
    }
    return r;
}

} // namespace lvsd::director::config

namespace lvsd::director::config {

void check_rules(const Statement& s, ParseContext& ctx) {
    ctx.warning(s.where(), "'" + s.keyword() + "' is recognized but not supported yet");
    for (const auto& line : s.block)
        for (size_t i = 0; i + 1 < line.words.size(); ++i)
            if ((line.words[i].text == "from" || line.words[i].text == "to") &&
                line.words[i + 1].text != "all")
                to_ip(line.words[++i], ctx, true);
}

} // namespace lvsd::director::config
