#include "director/config/json.h"

namespace lvsd::director::config {

using nlohmann::json;

namespace {

json ip(const net::IpAddress& a) {
    return a.str();
}

template <class T> json opt(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

json opt_ip(const std::optional<net::IpAddress>& a) {
    return a ? ip(*a) : json(nullptr);
}

json script(const std::optional<Script>& s) {
    if (!s)
        return nullptr;
    json j = {{"command", s->command}};
    if (!s->user.empty())
        j["user"] = s->user;
    if (!s->group.empty())
        j["group"] = s->group;
    return j;
}

json notify(const Notify& n) {
    return {{"notify", script(n.any)},
            {"notify_master", script(n.master)},
            {"notify_backup", script(n.backup)},
            {"notify_fault", script(n.fault)},
            {"notify_stop", script(n.stop)}};
}

json tracked(const std::vector<Tracked>& list) {
    json out = json::array();
    for (const auto& t : list) {
        json j = {{"name", t.name}, {"reverse", t.reverse}};
        j["weight"] = t.weight_set ? json(t.weight) : json(nullptr);
        out.push_back(j);
    }
    return out;
}

json addresses(const std::vector<VirtualAddress>& list) {
    json out = json::array();
    for (const auto& v : list)
        out.push_back({{"address", v.address.str()},
                       {"prefix", v.address.prefix_len},
                       {"broadcast", opt_ip(v.broadcast)},
                       {"dev", v.dev},
                       {"scope", v.scope},
                       {"label", v.label},
                       {"no_track", v.no_track}});
    return out;
}

json routes(const std::vector<VirtualRoute>& list) {
    json out = json::array();
    for (const auto& r : list)
        out.push_back({{"type", r.type},
                       {"destination", r.destination.str_prefixed()},
                       {"src", opt_ip(r.source)},
                       {"via", opt_ip(r.via)},
                       {"dev", r.dev},
                       {"table", r.table},
                       {"scope", r.scope},
                       {"metric", opt(r.metric)},
                       {"other", r.other}});
    return out;
}

json lvs_timeouts(const std::optional<LvsTimeouts>& t) {
    if (!t)
        return nullptr;
    return {{"tcp", opt(t->tcp)}, {"tcpfin", opt(t->tcpfin)}, {"udp", opt(t->udp)}};
}

json lvs_sync_daemon(const std::optional<LvsSyncDaemon>& d) {
    if (!d)
        return nullptr;
    return {{"interface", d->interface}, {"vrrp_instance", d->vrrp_instance},
            {"id", opt(d->sync_id)},     {"maxlen", opt(d->max_len)},
            {"port", opt(d->port)},      {"ttl", opt(d->ttl)},
            {"group", opt_ip(d->group)}};
}

json global_defs(const GlobalDefs& g) {
    return {{"router_id", g.router_id},
            {"notification_email", g.notification_email},
            {"notification_email_from", g.notification_email_from},
            {"smtp_server", g.smtp_server},
            {"smtp_port", g.smtp_port},
            {"smtp_helo_name", g.smtp_helo_name},
            {"smtp_connect_timeout", g.smtp_connect_timeout},
            {"smtp_alert", g.smtp_alert},
            {"enable_script_security", g.enable_script_security},
            {"script_user", g.script_user},
            {"script_group", g.script_group},
            {"vrrp_strict", g.vrrp_strict},
            {"vrrp_version", g.vrrp_version},
            {"default_interface", g.default_interface},
            {"vrrp_rt_priority", g.vrrp_rt_priority},
            {"vrrp_no_swap", g.vrrp_no_swap},
            {"agent_report_port", g.agent_report_port},
            {"agent_key_file", g.agent_key_file},
            {"startup_script", script(g.startup_script)},
            {"shutdown_script", script(g.shutdown_script)},
            {"lvs_dataplane", g.lvs_dataplane == LvsDataplane::ipvs       ? "ipvs"
                              : g.lvs_dataplane == LvsDataplane::nftables ? "nftables"
                                                                          : "auto"},
            {"lvs_nft_slots", g.lvs_nft_slots ? json(*g.lvs_nft_slots) : json(nullptr)},
            {"lvs_timeouts", lvs_timeouts(g.lvs_timeouts)},
            {"lvs_sync_daemon", lvs_sync_daemon(g.lvs_sync_daemon)}};
}

json instance(const VrrpInstance& vi) {
    json auth = nullptr;
    if (vi.authentication)
        auth = {{"auth_type", vi.authentication->type == AuthType::pass ? "PASS" : "AH"},
                {"auth_pass", vi.authentication->pass}};
    json peers = json::array();
    for (const auto& p : vi.unicast_peer)
        peers.push_back(p.address.str());
    return {{"name", vi.name},
            {"state", vi.state == VrrpState::master ? "MASTER" : "BACKUP"},
            {"interface", vi.interface},
            {"virtual_router_id", vi.virtual_router_id},
            {"priority", vi.priority},
            {"advert_int", vi.advert_int},
            {"version", vi.version},
            {"authentication", auth},
            {"virtual_ipaddress", addresses(vi.virtual_ipaddress)},
            {"virtual_ipaddress_excluded", addresses(vi.virtual_ipaddress_excluded)},
            {"virtual_routes", routes(vi.virtual_routes)},
            {"track_interface", tracked(vi.track_interface)},
            {"track_script", tracked(vi.track_script)},
            {"unicast_src_ip", opt_ip(vi.unicast_src_ip)},
            {"unicast_peer", peers},
            {"mcast_src_ip", opt_ip(vi.mcast_src_ip)},
            {"notify", notify(vi.notify)},
            {"smtp_alert", opt(vi.smtp_alert)},
            {"preempt", vi.preempt},
            {"preempt_delay", vi.preempt_delay},
            {"garp_master_delay", vi.garp_master_delay},
            {"garp_master_repeat", vi.garp_master_repeat},
            {"garp_master_refresh", vi.garp_master_refresh},
            {"garp_master_refresh_repeat", vi.garp_master_refresh_repeat}};
}

json checker(const Checker& c) {
    const auto& k = c.common;
    json j = {{"type", std::string(checker_keyword(c.kind))},
              {"connect_ip", opt_ip(k.connect_ip)},
              {"connect_port", opt(k.connect_port)},
              {"bindto", opt_ip(k.bindto)},
              {"bind_port", opt(k.bind_port)},
              {"bind_if", k.bind_if},
              {"connect_timeout", opt(k.connect_timeout)},
              {"retry", opt(k.retry)},
              {"delay_before_retry", opt(k.delay_before_retry)},
              {"delay_loop", opt(k.delay_loop)},
              {"warmup", opt(k.warmup)},
              {"fwmark", opt(k.fwmark)},
              {"alpha", k.alpha},
              {"log_all_failures", k.log_all_failures}};
    if (auto* h = std::get_if<HttpCheck>(&c.detail)) {
        json urls = json::array();
        for (const auto& u : h->urls) {
            json codes = json::array();
            for (auto [lo, hi] : u.status_codes)
                codes.push_back(lo == hi ? json(lo) : json({lo, hi}));
            urls.push_back({{"path", u.path},
                            {"digest", u.digest},
                            {"status_code", codes},
                            {"virtualhost", u.virtualhost}});
        }
        j["url"] = urls;
        j["virtualhost"] = h->virtualhost;
        j["http_protocol"] = h->http_protocol;
        j["enable_sni"] = h->enable_sni;
        j["sni_name"] = h->sni_name;
        j["fast_recovery"] = h->fast_recovery;
        j["tls_compliant"] = h->tls_compliant;
    } else if (auto* m = std::get_if<MiscCheck>(&c.detail)) {
        j["misc_path"] = script(m->misc_path);
        j["misc_timeout"] = opt(m->misc_timeout);
        j["misc_dynamic"] = m->misc_dynamic;
    } else if (auto* s = std::get_if<SmtpCheck>(&c.detail)) {
        j["helo_name"] = s->helo_name;
    } else if (auto* d = std::get_if<DnsCheck>(&c.detail)) {
        j["dns_type"] = d->type;
        j["dns_name"] = d->name;
    } else if (auto* u = std::get_if<UdpCheck>(&c.detail)) {
        j["payload"] = u->payload;
        j["require_reply"] = u->require_reply;
        j["reply_pattern"] = u->reply_pattern;
        j["min_reply_length"] = opt(u->min_reply_length);
        j["max_reply_length"] = opt(u->max_reply_length);
    } else if (auto* f = std::get_if<FileCheck>(&c.detail)) {
        j["track_file"] = f->track_file;
        j["weight"] = opt(f->weight);
        j["reverse"] = f->reverse;
    } else if (auto* a = std::get_if<AgentCheck>(&c.detail)) {
        j["connect_port"] = a->connect_port;
    }
    return j;
}

const char* method_name(LvsMethod m) {
    switch (m) {
    case LvsMethod::nat:
        return "NAT";
    case LvsMethod::dr:
        return "DR";
    case LvsMethod::tun:
        return "TUN";
    }
    return "NAT";
}

// {"type": "gue", "port": 6080, "checksum": "csum"}; null unless tunnelled.
json tunnel(LvsMethod m, const TunnelOptions& t) {
    if (m != LvsMethod::tun)
        return nullptr;
    const char* type = t.type == TunnelType::gue   ? "gue"
                       : t.type == TunnelType::gre ? "gre"
                                                   : "ipip";
    const char* csum = t.checksum == TunnelChecksum::csum      ? "csum"
                       : t.checksum == TunnelChecksum::remcsum ? "remcsum"
                                                               : "nocsum";
    return {{"type", type}, {"port", t.port}, {"checksum", csum}};
}

json sched_flags(const VirtualServer& vs) {
    json out = json::array();
    if (vs.sched_flag_1)
        out.push_back("flag-1");
    if (vs.sched_flag_2)
        out.push_back("flag-2");
    if (vs.sched_flag_3)
        out.push_back("flag-3");
    return out;
}

const char* protocol_name(Protocol p) {
    switch (p) {
    case Protocol::tcp:
        return "TCP";
    case Protocol::udp:
        return "UDP";
    case Protocol::sctp:
        return "SCTP";
    }
    return "TCP";
}

json virtual_server(const VirtualServer& vs) {
    json j;
    switch (vs.kind) {
    case VirtualServerKind::address:
        j["address"] = vs.address.str();
        j["port"] = vs.port;
        break;
    case VirtualServerKind::fwmark:
        j["fwmark"] = vs.fwmark;
        break;
    case VirtualServerKind::group:
        j["group"] = vs.group;
        break;
    }
    j["delay_loop"] = vs.delay_loop;
    j["lvs_sched"] = vs.lvs_sched;
    j["lvs_sched_flags"] = sched_flags(vs);
    j["ops"] = vs.ops;
    j["lvs_method"] = method_name(vs.lvs_method);
    j["tunnel"] = tunnel(vs.lvs_method, vs.tunnel);
    j["persistence_engine"] = vs.persistence_engine;
    j["persistence_timeout"] = opt(vs.persistence_timeout);
    j["persistence_granularity"] = opt_ip(vs.persistence_granularity);
    j["protocol"] = protocol_name(vs.protocol);
    j["sorry_server"] =
        vs.sorry_server
            ? json({{"address", vs.sorry_server->address.str()}, {"port", vs.sorry_server->port}})
            : json(nullptr);
    j["quorum"] = vs.quorum;
    j["hysteresis"] = vs.hysteresis;
    j["quorum_up"] = script(vs.quorum_up);
    j["quorum_down"] = script(vs.quorum_down);
    j["alpha"] = vs.alpha;
    j["omega"] = vs.omega;
    j["inhibit_on_failure"] = vs.inhibit_on_failure;
    j["virtualhost"] = vs.virtualhost;
    json rss = json::array();
    for (const auto& rs : vs.real_servers) {
        json checkers = json::array();
        for (const auto& c : rs.checkers)
            checkers.push_back(checker(c));
        rss.push_back(
            {{"address", rs.address.str()},
             {"port", rs.port},
             {"weight", rs.weight},
             {"lvs_method", method_name(rs.lvs_method.value_or(vs.lvs_method))},
             {"tunnel",
              rs.lvs_method ? tunnel(*rs.lvs_method, rs.tunnel) : tunnel(vs.lvs_method, vs.tunnel)},
             {"inhibit_on_failure", rs.inhibit_on_failure.value_or(vs.inhibit_on_failure)},
             {"notify_up", script(rs.notify_up)},
             {"notify_down", script(rs.notify_down)},
             {"uthreshold", rs.uthreshold},
             {"lthreshold", rs.lthreshold},
             {"checkers", checkers}});
    }
    j["real_servers"] = rss;
    return j;
}

} // namespace

json to_json(const Config& c) {
    json scripts = json::array();
    for (const auto& s : c.vrrp_scripts)
        scripts.push_back({{"name", s.name},
                           {"script", s.script.command},
                           {"user", s.script.user},
                           {"interval", s.interval},
                           {"timeout", s.timeout},
                           {"weight", s.weight},
                           {"reverse", s.reverse},
                           {"rise", s.rise},
                           {"fall", s.fall},
                           {"init_fail", s.init_fail}});
    json groups = json::array();
    for (const auto& g : c.vrrp_sync_groups) {
        json members = json::array();
        for (const auto& m : g.group)
            members.push_back(m.name);
        groups.push_back({{"name", g.name},
                          {"group", members},
                          {"track_interface", tracked(g.track_interface)},
                          {"track_script", tracked(g.track_script)},
                          {"notify", notify(g.notify)},
                          {"smtp_alert", opt(g.smtp_alert)}});
    }
    json instances = json::array();
    for (const auto& vi : c.vrrp_instances)
        instances.push_back(instance(vi));
    json vsgs = json::array();
    for (const auto& g : c.virtual_server_groups) {
        json entries = json::array();
        for (const auto& e : g.entries) {
            if (e.is_fwmark)
                entries.push_back({{"fwmark", e.fwmark}});
            else
                entries.push_back(
                    {{"address", e.address.str_prefixed()},
                     {"range_last", e.range_last < 0 ? json(nullptr) : json(e.range_last)},
                     {"port", e.port}});
        }
        vsgs.push_back({{"name", g.name}, {"entries", entries}});
    }
    json vss = json::array();
    for (const auto& vs : c.virtual_servers)
        vss.push_back(virtual_server(vs));
    return {{"global_defs", global_defs(c.global_defs)},
            {"vrrp_scripts", scripts},
            {"vrrp_sync_groups", groups},
            {"vrrp_instances", instances},
            {"virtual_server_groups", vsgs},
            {"virtual_servers", vss}};
}

std::string to_json_text(const Config& c, int indent) {
    return to_json(c).dump(indent, ' ', false, json::error_handler_t::replace);
}

} // namespace lvsd::director::config
