#include "director/dataplane/diff.h"

namespace lvsd::director::dataplane {

namespace {

Service settings_only(const Service& s) {
    Service out;
    out.key = s.key;
    out.scheduler = s.scheduler;
    out.flags = s.flags;
    out.persistence = s.persistence;
    out.pe_name = s.pe_name;
    return out;
}

Op service_op(OpKind k, const Service& s) {
    return Op{k, settings_only(s), std::nullopt};
}

Op destination_op(OpKind k, const Service& s, const Destination& d) {
    return Op{k, settings_only(s), d};
}

std::string describe(const Service& s) {
    std::string out = s.key.str() + " " + s.scheduler;
    if (s.flags & service_flag::one_packet)
        out += " ops";
    for (auto [bit, name] :
         {std::pair{service_flag::sched1, " flag-1"}, std::pair{service_flag::sched2, " flag-2"},
          std::pair{service_flag::sched3, " flag-3"}})
        if (s.flags & bit)
            out += name;
    if (s.persistence)
        out += " persistent " + std::to_string(s.persistence->timeout) + " /" +
               std::to_string(s.persistence->prefix_len);
    if (!s.pe_name.empty())
        out += " pe " + s.pe_name;
    return out;
}

std::string describe(const Destination& d) {
    std::string out = d.key.str() + " " + str(d.forward);
    if (d.forward == Forward::tun) {
        out += " " + str(d.tunnel_type);
        if (d.tunnel_type == TunnelType::gue)
            out += " port " + std::to_string(d.tunnel_port);
        if (d.tunnel_flags)
            out += " flags " + std::to_string(d.tunnel_flags);
    }
    out += " weight " + std::to_string(d.weight);
    if (d.u_threshold || d.l_threshold)
        out += " thresholds " + std::to_string(d.u_threshold) + "/" + std::to_string(d.l_threshold);
    return out;
}

} // namespace

std::string str(OpKind k) {
    switch (k) {
    case OpKind::add_service:
        return "add service";
    case OpKind::edit_service:
        return "edit service";
    case OpKind::delete_service:
        return "delete service";
    case OpKind::add_destination:
        return "add destination";
    case OpKind::edit_destination:
        return "edit destination";
    case OpKind::delete_destination:
        return "delete destination";
    }
    return "?";
}

std::string Op::str() const {
    switch (kind) {
    case OpKind::add_service:
    case OpKind::edit_service:
        return dataplane::str(kind) + " " + describe(service);
    case OpKind::delete_service:
        return dataplane::str(kind) + " " + service.key.str();
    case OpKind::add_destination:
    case OpKind::edit_destination:
        return dataplane::str(kind) + " " + service.key.str() + " -> " + describe(*destination);
    case OpKind::delete_destination:
        return dataplane::str(kind) + " " + service.key.str() + " -> " + destination->key.str();
    }
    return "?";
}

std::vector<Op> diff(const Table& desired, const Table& actual) {
    std::vector<Op> ops;
    for (const auto& [key, svc] : actual.services)
        if (!desired.services.count(key))
            ops.push_back(service_op(OpKind::delete_service, svc));

    std::vector<const Service*> fresh;
    for (const auto& [key, want] : desired.services) {
        auto it = actual.services.find(key);
        if (it == actual.services.end()) {
            fresh.push_back(&want);
            continue;
        }
        const Service& have = it->second;
        if (!same_settings(want, have))
            ops.push_back(service_op(OpKind::edit_service, want));
        for (const auto& [dk, d] : have.destinations)
            if (!want.destinations.count(dk))
                ops.push_back(destination_op(OpKind::delete_destination, want, d));
        for (const auto& [dk, d] : want.destinations) {
            auto h = have.destinations.find(dk);
            if (h == have.destinations.end())
                continue;
            if (!same_settings(d, h->second))
                ops.push_back(destination_op(OpKind::edit_destination, want, d));
        }
        for (const auto& [dk, d] : want.destinations)
            if (!have.destinations.count(dk))
                ops.push_back(destination_op(OpKind::add_destination, want, d));
    }

    for (const Service* s : fresh) {
        ops.push_back(service_op(OpKind::add_service, *s));
        for (const auto& [dk, d] : s->destinations)
            ops.push_back(destination_op(OpKind::add_destination, *s, d));
    }
    return ops;
}

} // namespace lvsd::director::dataplane
