#include "director/dataplane/nft/model.h"

#include "director/dataplane/maglev.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <netinet/in.h>
#include <sstream>
#include <sys/socket.h>

namespace lvsd::director::dataplane::nft {

namespace {

std::string lower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

Place place_of(const Service& s) {
    for (const auto& [k, d] : s.destinations)
        if (d.forward == Forward::dr)
            return Place::netdev;
    return s.key.family == AF_INET6 ? Place::ip6 : Place::ip;
}

bool v6(const ServiceState& s) {
    return s.service.key.family == AF_INET6;
}

std::string ipf(const ServiceState& s) {
    return v6(s) ? "ip6" : "ip";
}

std::string proto(const ServiceState& s) {
    return lower(str(s.service.key.protocol));
}

// fwmark services (NAT only) are dispatched by `meta mark` from maps fwm4 / fwm6.
std::string vmap_name(const ServiceState& s) {
    if (s.service.key.fwmark)
        return v6(s) ? "fwm6" : "fwm4";
    return v6(s) ? "svc6" : "svc4";
}

// A fwmark service whose real servers all have port 0 keeps each packet's port, as IPVS does;
// its map then holds addresses only. Mixing 0 and other ports in one service is refused.
bool keeps_port(const ServiceState& s) {
    if (!s.service.key.fwmark || s.service.destinations.empty())
        return false;
    for (const auto& [k, d] : s.service.destinations)
        if (k.port != 0)
            return false;
    return true;
}

bool address_only(const ServiceState& s) {
    return s.place == Place::netdev || keeps_port(s);
}

std::string vmap_key(const ServiceState& s) {
    if (s.service.key.fwmark)
        return std::to_string(s.service.key.fwmark);
    return s.service.key.address.str() + " . " + proto(s) + " . " +
           std::to_string(s.service.key.port);
}

std::string hex(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", v);
    return buf;
}

std::string table_of(Place p) {
    return family(p) + " lvsd";
}

// Elements in chunks, so no single command grows without bound.
void elements(std::ostringstream& out, const std::string& verb, const std::string& table,
              const std::string& set, const std::vector<std::string>& elems) {
    constexpr size_t chunk = 512;
    for (size_t i = 0; i < elems.size(); i += chunk) {
        out << verb << " element " << table << " " << set << " { ";
        for (size_t j = i; j < elems.size() && j < i + chunk; ++j)
            out << (j > i ? ", " : "") << elems[j];
        out << " }\n";
    }
}

std::string quoted(const std::string& s) {
    return "\"" + s + "\"";
}

std::string dest_key_elem(const ServiceState& s, const DestinationKey& k) {
    (void)s;
    return k.address.str() + " . " + std::to_string(k.port);
}

std::string value_of(const ServiceState& s, const Destination& d) {
    if (address_only(s))
        return d.key.address.str();
    return d.key.address.str() + " . " + std::to_string(d.key.port);
}

std::vector<int32_t> owners(const ServiceState& s, std::vector<const Destination*>& dests) {
    std::vector<maglev::Entry> entries;
    for (const auto& [k, d] : s.service.destinations) {
        entries.push_back({k.str(), d.weight});
        dests.push_back(&d);
    }
    return maglev::build(entries, s.slots, s.seed);
}

// The Maglev table is a function of these alone (see owners() and value_of()): where they
// agree, so do the slots, and neither table need be built (each is slots × servers of work).
bool same_slots(const ServiceState& a, const ServiceState& b) {
    const auto &da = a.service.destinations, &db = b.service.destinations;
    return a.slots == b.slots && a.seed == b.seed && address_only(a) == address_only(b) &&
           std::equal(da.begin(), da.end(), db.begin(), db.end(), [](const auto& x, const auto& y) {
               return x.first == y.first && x.second.weight == y.second.weight;
           });
}

// The slot → destination key table (nullopt: empty slot).
std::vector<std::optional<DestinationKey>> slot_owners(const ServiceState& s) {
    std::vector<const Destination*> dests;
    auto t = owners(s, dests);
    std::vector<std::optional<DestinationKey>> out(t.size());
    for (size_t i = 0; i < t.size(); ++i)
        if (t[i] >= 0)
            out[i] = dests[static_cast<size_t>(t[i])]->key;
    return out;
}

bool tcp_dr(const ServiceState& s) {
    return s.place == Place::netdev && s.service.key.protocol == Protocol::tcp;
}

// Drained slots after a change: a slot stays drained while its server is still a destination
// at weight 0; a slot whose server has just been drained to 0 becomes drained. The old
// table is rebuilt from the old state: it is what the kernel's map holds.
std::map<uint32_t, DestinationKey> drained_slots(const ServiceState* old, const ServiceState& now) {
    std::map<uint32_t, DestinationKey> est;
    if (!old || now.place != Place::netdev || old->place != Place::netdev ||
        old->slots != now.slots || old->seed != now.seed)
        return est;
    auto drained = [&](const DestinationKey& k) {
        auto it = now.service.destinations.find(k);
        return it != now.service.destinations.end() && it->second.weight <= 0;
    };
    for (const auto& [slot, k] : old->est)
        if (drained(k))
            est.emplace(slot, k);
    auto before = slot_owners(*old);
    for (size_t i = 0; i < before.size(); ++i)
        if (before[i] && drained(*before[i]))
            est.emplace(static_cast<uint32_t>(i), *before[i]);
    return est;
}

void create_service(std::ostringstream& out, const ServiceState& s) {
    auto t = table_of(s.place);
    auto id = object_id(s.service.key);
    std::string value_type = address_only(s) ? ipf(s) + " daddr" : ipf(s) + " daddr . tcp dport";
    out << "add chain " << t << " " << id << "\n";
    out << "add map " << t << " " << id << "_new { typeof numgen inc mod 2 : " << value_type
        << "; }\n";
    out << "add set " << t << " " << id << "_dst { typeof " << ipf(s) << " daddr . tcp dport; }\n";
}

// The drain's objects (DR): created with the first drained server, deleted with the last.
void create_drain_objects(std::ostringstream& out, const ServiceState& s, const Options& o) {
    auto t = table_of(s.place);
    auto id = object_id(s.service.key);
    out << "add map " << t << " " << id << "_est { typeof numgen inc mod 2 : " << ipf(s)
        << " daddr; }\n";
    out << "add set " << t << " " << id << "_fresh { typeof " << ipf(s)
        << " saddr . tcp sport; flags dynamic, timeout; timeout " << o.fresh_timeout
        << "s; size 65535; }\n";
}

void delete_drain_objects(std::ostringstream& out, const ServiceState& s) {
    auto t = table_of(s.place);
    auto id = object_id(s.service.key);
    out << "delete map " << t << " " << id << "_est\n";
    out << "delete set " << t << " " << id << "_fresh\n";
}

void delete_service(std::ostringstream& out, const ServiceState& s) {
    auto t = table_of(s.place);
    auto id = object_id(s.service.key);
    out << "delete element " << t << " " << vmap_name(s) << " { " << vmap_key(s) << " }\n";
    out << "flush chain " << t << " " << id << "\n";
    out << "delete chain " << t << " " << id << "\n";
    out << "delete map " << t << " " << id << "_new\n";
    out << "delete set " << t << " " << id << "_dst\n";
    if (s.drain_objects)
        delete_drain_objects(out, s);
}

void create_base(std::ostringstream& out, Place p, const Options& o) {
    auto t = table_of(p);
    out << "add table " << t << "\n";
    if (p != Place::ip6)
        out << "add map " << t
            << " svc4 { type ipv4_addr . inet_proto . inet_service : verdict; }\n";
    if (p != Place::ip)
        out << "add map " << t
            << " svc6 { type ipv6_addr . inet_proto . inet_service : verdict; }\n";
    if (p == Place::netdev) {
        out << "add chain " << t << " ingress { type filter hook ingress device "
            << quoted(o.interface) << " priority -500; policy accept; }\n";
        // Only frames sent to our MAC: the bridge or switch floods unknown unicast, and a
        // backup director must not forward copies of frames meant for the master.
        out << "add rule " << t << " ingress meta pkttype != host accept\n";
        out << "add rule " << t
            << " ingress meta protocol ip ip daddr . meta l4proto . th dport vmap @svc4\n";
        out << "add rule " << t
            << " ingress meta protocol ip6 ip6 daddr . meta l4proto . th dport vmap @svc6\n";
    } else {
        auto f = family(p);
        auto fwm = p == Place::ip ? "fwm4" : "fwm6";
        out << "add map " << t << " " << fwm << " { type mark : verdict; }\n";
        out << "add chain " << t
            << " pre { type nat hook prerouting priority dstnat; policy accept; }\n";
        // fwmark services first, as IPVS looks them up first; marks are set by then (mangle).
        out << "add rule " << t << " pre meta mark vmap @" << fwm << "\n";
        out << "add rule " << t << " pre " << f << " daddr . meta l4proto . th dport vmap @"
            << (p == Place::ip ? "svc4" : "svc6") << "\n";
    }
}

template <class K, class V> const V* find(const std::map<K, V>& m, const K& k) {
    auto it = m.find(k);
    return it == m.end() ? nullptr : &it->second;
}

} // namespace

std::string family(Place p) {
    switch (p) {
    case Place::netdev:
        return "netdev";
    case Place::ip:
        return "ip";
    case Place::ip6:
        return "ip6";
    }
    return "ip";
}

Table State::table() const {
    Table t;
    for (const auto& [k, s] : services)
        t.add(s.service);
    return t;
}

std::string object_id(const ServiceKey& k) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "s%016llx",
                  static_cast<unsigned long long>(maglev::hash(k.str(), 0x6c767364)));
    return buf;
}

Staged stage(const State& current, const std::vector<Op>& ops, const Options& o) {
    Staged st;
    st.next = current;
    auto& svcs = st.next.services;
    std::set<ServiceKey> touched, refused_new;

    auto check_dest = [&](const Service& s, const Destination& d) -> int {
        if (d.forward != Forward::dr && d.forward != Forward::nat)
            return EOPNOTSUPP;
        if (d.forward == Forward::dr && o.interface.empty())
            return ENODEV;
        // DR steers at netdev ingress, before any prerouting rule could have set the mark.
        if (s.key.fwmark && d.forward == Forward::dr)
            return EOPNOTSUPP;
        if (d.key.address.family != s.key.family)
            return EAFNOSUPPORT;
        for (const auto& [k, other] : s.destinations)
            if (!(k == d.key) && (other.forward != d.forward ||
                                  (s.key.fwmark && (k.port == 0) != (d.key.port == 0))))
                return EOPNOTSUPP; // one forwarding method (and port style) per service
        return 0;
    };

    for (size_t i = 0; i < ops.size(); ++i) {
        const auto& op = ops[i];
        const auto& key = op.service.key;
        auto it = svcs.find(key);
        int err = 0;
        switch (op.kind) {
        case OpKind::add_service:
            if (it != svcs.end())
                err = EEXIST;
            else {
                ServiceState s;
                s.service = op.service;
                s.service.destinations.clear();
                s.service.stats = {};
                svcs.emplace(key, s);
            }
            if (err)
                refused_new.insert(key);
            break;
        case OpKind::edit_service:
            if (it == svcs.end())
                err = ESRCH;
            else {
                auto dests = std::move(it->second.service.destinations);
                it->second.service = op.service;
                it->second.service.destinations = std::move(dests);
                it->second.service.stats = {};
            }
            break;
        case OpKind::delete_service:
            if (it == svcs.end())
                err = ESRCH;
            else
                svcs.erase(it);
            break;
        case OpKind::add_destination:
        case OpKind::edit_destination:
        case OpKind::delete_destination: {
            if (it == svcs.end()) {
                if (refused_new.count(key)) {
                    st.skipped.push_back(i);
                    continue;
                }
                err = ESRCH;
                break;
            }
            if (!op.destination) {
                err = EINVAL;
                break;
            }
            auto& dests = it->second.service.destinations;
            const auto& d = *op.destination;
            bool exists = dests.count(d.key) > 0;
            if (op.kind == OpKind::add_destination && exists)
                err = EEXIST;
            else if (op.kind != OpKind::add_destination && !exists)
                err = ENOENT;
            else if (op.kind == OpKind::delete_destination)
                dests.erase(d.key);
            else if ((err = check_dest(it->second.service, d)) == 0) {
                Destination copy = d;
                copy.active_conns = copy.inactive_conns = copy.persist_conns = 0;
                copy.stats = {};
                dests[d.key] = copy;
            }
            break;
        }
        }
        if (err)
            st.refused.emplace_back(i, err);
        else
            touched.insert(key);
    }

    // A new table size or seed (a reload changed lvs_nft_slots) rebuilds the service.
    for (const auto& [key, s] : svcs)
        if (s.slots != o.slots || s.seed != o.seed)
            touched.insert(key);
    for (const auto& key : touched) {
        auto it = svcs.find(key);
        if (it == svcs.end())
            continue;
        auto& s = it->second;
        s.place = place_of(s.service);
        s.slots = o.slots;
        s.seed = o.seed;
        s.est = drained_slots(find(current.services, key), s);
    }
    st.next.tables.clear();
    for (auto& [k, s] : svcs) {
        st.next.tables.insert(s.place);
        s.drain_objects = !s.est.empty(); // what render() leaves in the kernel
    }
    return st;
}

std::vector<std::string> slot_values(const ServiceState& s) {
    std::vector<const Destination*> dests;
    auto t = owners(s, dests);
    std::vector<std::string> out(t.size());
    for (size_t i = 0; i < t.size(); ++i)
        if (t[i] >= 0)
            out[i] = value_of(s, *dests[static_cast<size_t>(t[i])]);
    return out;
}

std::vector<std::string> chain_rules(const ServiceState& s, const Options& o) {
    auto id = object_id(s.service.key);
    auto p = proto(s);
    bool fwm = s.service.key.fwmark != 0;
    // nft rewrites a port only after one transport protocol's match, and the map's port type
    // is tcp's: a fwmark service with real-server ports carries TCP only (port 0: any).
    std::string match = !fwm ? "meta l4proto " + p + " " : keeps_port(s) ? "" : "meta l4proto tcp ";
    std::string hash = "jhash " + ipf(s) + " saddr";
    if (!s.service.persistence)
        hash += fwm ? " . th sport" : " . " + p + " sport";
    hash += " mod " + std::to_string(s.slots) + " seed " + hex(s.seed);
    std::vector<std::string> rules;
    if (s.place == Place::netdev) {
        auto fwd = [&](const std::string& map) {
            return "fwd " + ipf(s) + " to " + hash + " map @" + id + map + " device " +
                   quoted(o.interface);
        };
        if (!s.est.empty()) {
            if (tcp_dr(s)) {
                rules.push_back(match + "tcp flags & (syn | ack) == syn update @" + id +
                                "_fresh { " + ipf(s) + " saddr . tcp sport } " + fwd("_new"));
                rules.push_back(match + ipf(s) + " saddr . tcp sport @" + id + "_fresh " +
                                fwd("_new"));
            }
            rules.push_back(match + fwd("_est"));
        }
        rules.push_back(match + fwd("_new"));
    } else {
        rules.push_back(match + "dnat " + ipf(s) + (keeps_port(s) ? " to " : " addr . port to ") +
                        hash + " map @" + id + "_new");
    }
    // No server for this flow (all drained, none configured): not for the local stack.
    rules.push_back("drop");
    return rules;
}

std::string render(const State& from, const State& to, const Options& o) {
    std::ostringstream out;
    std::set<Place> needed;
    for (const auto& [k, s] : to.services)
        needed.insert(s.place);
    for (auto p : needed)
        if (!from.tables.count(p))
            create_base(out, p, o);
    auto dropped_table = [&](Place p) { return from.tables.count(p) && !needed.count(p); };

    // Services that go away, or must be rebuilt (moved between tables, new table size or seed).
    auto rebuilt = [&](const ServiceState& a, const ServiceState& b) {
        return a.place != b.place || a.slots != b.slots || a.seed != b.seed ||
               keeps_port(a) != keeps_port(b);
    };
    for (const auto& [k, old] : from.services) {
        const auto* now = find(to.services, k);
        if ((!now || rebuilt(old, *now)) && !dropped_table(old.place) &&
            from.tables.count(old.place))
            delete_service(out, old);
    }

    for (const auto& [k, now] : to.services) {
        const auto* old = find(from.services, k);
        if (old && rebuilt(*old, now))
            old = nullptr;
        auto t = table_of(now.place);
        auto id = object_id(k);
        if (!old)
            create_service(out, now);

        // Destinations and their settings.
        std::vector<std::string> del, add;
        if (old)
            for (const auto& [dk, d] : old->service.destinations) {
                const auto* nd = find(now.service.destinations, dk);
                if (!nd || encode(*nd) != encode(d))
                    del.push_back(dest_key_elem(now, dk));
            }
        for (const auto& [dk, d] : now.service.destinations) {
            const auto* od = old ? find(old->service.destinations, dk) : nullptr;
            if (!od || encode(*od) != encode(d))
                add.push_back(dest_key_elem(now, dk) + " comment " + quoted(encode(d)));
        }
        elements(out, "delete", t, id + "_dst", del);
        elements(out, "add", t, id + "_dst", add);

        // The Maglev table: only the slots that change, and only built when it can change.
        if (!old || !same_slots(*old, now)) {
            auto nv = slot_values(now);
            std::vector<std::string> ov = old ? slot_values(*old) : std::vector<std::string>{};
            ov.resize(nv.size());
            del.clear();
            add.clear();
            for (size_t i = 0; i < nv.size(); ++i) {
                if (ov[i] == nv[i])
                    continue;
                if (!ov[i].empty())
                    del.push_back(std::to_string(i));
                if (!nv[i].empty())
                    add.push_back(std::to_string(i) + " : " + nv[i]);
            }
            elements(out, "delete", t, id + "_new", del);
            elements(out, "add", t, id + "_new", add);
        }

        // Drained slots (DR), in maps that exist only while a server is drained.
        bool had_drain = old && old->drain_objects;
        bool drain = !now.est.empty();
        if (drain && !had_drain)
            create_drain_objects(out, now, o);
        if (drain) {
            del.clear();
            add.clear();
            static const std::map<uint32_t, DestinationKey> none;
            const auto& oe = had_drain ? old->est : none;
            for (const auto& [slot, dk] : oe) {
                const auto* n = find(now.est, slot);
                if (!n || !(*n == dk))
                    del.push_back(std::to_string(slot));
            }
            for (const auto& [slot, dk] : now.est) {
                const auto* e = find(oe, slot);
                if (e && *e == dk)
                    continue;
                const auto* d = find(now.service.destinations, dk);
                if (!d)
                    continue;
                add.push_back(std::to_string(slot) + " comment " + quoted(encode(dk)) + " : " +
                              value_of(now, *d));
            }
            elements(out, "delete", t, id + "_est", del);
            elements(out, "add", t, id + "_est", add);
            // A new drain in objects left from before: flows from now on are new.
            if (oe.empty() && had_drain)
                out << "flush set " << t << " " << id << "_fresh\n";
        }

        // The chain's rules, rewritten whole when they change.
        auto nr = chain_rules(now, o);
        if (!old || chain_rules(*old, o) != nr) {
            if (old)
                out << "flush chain " << t << " " << id << "\n";
            for (const auto& r : nr)
                out << "add rule " << t << " " << id << " " << r << "\n";
        }

        // Once no rule refers to them.
        if (had_drain && !drain)
            delete_drain_objects(out, *old);

        // The dispatch element, carrying the service's settings.
        if (!old || encode(*old) != encode(now)) {
            if (old)
                out << "delete element " << t << " " << vmap_name(now) << " { " << vmap_key(now)
                    << " }\n";
            out << "add element " << t << " " << vmap_name(now) << " { " << vmap_key(now)
                << " comment " << quoted(encode(now)) << " : jump " << id << " }\n";
        }
    }

    for (auto p : from.tables)
        if (!needed.count(p))
            out << "delete table " << table_of(p) << "\n";
    return out.str();
}

} // namespace lvsd::director::dataplane::nft
