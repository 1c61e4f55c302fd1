#include "director/checks/checker_set.h"

#include "director/checks/agent_text.h"
#include "director/config/checker.h"
#include "log/log.h"

#include <algorithm>
#include <cmath>

namespace lvsd::director::checks {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using config::CheckerKind;

Result misc_result(const notify::ExitStatus& s, bool dynamic) {
    using K = notify::ExitStatus::Kind;
    Result r;
    r.reason = notify::describe(s);
    if (s.kind != K::exited)
        return r;
    if (s.value == 0) {
        r.ok = true;
    } else if (dynamic && s.value >= 2 && s.value <= 255) {
        r.ok = true;
        r.weight = s.value - 2;
    }
    return r;
}

Result agent_result(std::string_view line, int configured_weight) {
    auto t = parse_agent_text(line);
    std::string said = "agent says '" + std::string(line.substr(0, 200)) + "'";
    if (agent_down(t))
        return Result{false, std::nullopt, said};
    return Result{true, agent_weight(t, configured_weight), said};
}

namespace {

// Longer lines are not agent-check text; reading stops there and the check fails.
constexpr size_t agent_line_limit = 512;

// A real server as logs and reload keys name it: ADDRESS:PORT.
std::string endpoint_text(const config::RealServer& rs) {
    return rs.address.str() + ":" + std::to_string(rs.port);
}

Duration seconds(double s) {
    return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(std::max(0.0, s)));
}

asio::ip::address to_asio(const net::IpAddress& a) {
    if (a.is_v4())
        return asio::ip::address_v4({a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]});
    asio::ip::address_v6::bytes_type b;
    std::copy(a.bytes.begin(), a.bytes.end(), b.begin());
    return asio::ip::address_v6(b);
}

// Host: header value. A name as given; an address with its port unless the scheme's default.
std::string host_header(const std::string& name, const tcp::endpoint& ep, bool tls) {
    if (!name.empty())
        return name;
    auto a = ep.address();
    std::string host = a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
    if (ep.port() != (tls ? 443 : 80))
        host += ":" + std::to_string(ep.port());
    return host;
}

bool status_ok(int status, const std::vector<std::pair<int, int>>& codes) {
    if (codes.empty())
        return status >= 200 && status <= 299;
    return std::any_of(codes.begin(), codes.end(),
                       [&](const auto& r) { return status >= r.first && status <= r.second; });
}

} // namespace

CheckerSet::CheckerSet(asio::io_context& io, config::Config config, notify::ScriptRunner& runner,
                       OnChange on_change, CheckerSetOptions options)
    : io_(io), config_(std::move(config)), runner_(runner), on_change_(std::move(on_change)),
      options_(options), tls_(make_client_tls_context()),
      probes_(std::make_shared<ProbeShared>(io)), alive_(std::make_shared<bool>(true)) {
    build();
}

CheckerSet::~CheckerSet() {
    stop();
    *alive_ = false;
}

void CheckerSet::build() {
    const auto& vss = config_.virtual_servers;
    for (size_t vi = 0; vi < vss.size(); ++vi) {
        const auto& vs = vss[vi];
        for (size_t ri = 0; ri < vs.real_servers.size(); ++ri) {
            const auto& rs = vs.real_servers[ri];
            Server server;
            server.ref = {vi, ri};
            for (size_t ci = 0; ci < rs.checkers.size(); ++ci) {
                const auto& c = rs.checkers[ci];
                const auto& k = c.common;
                std::string where = c.common.where.str() + ": " +
                                    std::string(config::checker_keyword(c.kind)) + " of " +
                                    endpoint_text(rs);
                bool supported = c.kind == CheckerKind::tcp || c.kind == CheckerKind::http ||
                                 c.kind == CheckerKind::ssl || c.kind == CheckerKind::misc ||
                                 c.kind == CheckerKind::agent;
                if (!supported) // the configuration's check warned (config/checks.cpp)
                    continue;
                Timing t;
                t.delay_loop = seconds(k.delay_loop.value_or(vs.delay_loop));
                // keepalived.conf(5): 3 s for HTTP_GET and SSL_GET, 1 s otherwise.
                bool web = c.kind == CheckerKind::http || c.kind == CheckerKind::ssl;
                t.delay_before_retry = seconds(k.delay_before_retry.value_or(web ? 3 : 1));
                t.retry = k.retry.value_or(c.kind == CheckerKind::misc ? 0 : 1);
                t.alpha = k.alpha || vs.alpha;
                Check ck(CheckerId{{vi, ri}, ci}, c.kind, t);
                if (c.kind != CheckerKind::misc) {
                    int port = c.kind == CheckerKind::agent
                                   ? std::get<config::AgentCheck>(c.detail).connect_port
                                   : k.connect_port.value_or(rs.port);
                    if (port <= 0 || port > 65535) {
                        notes_.push_back(where + ": no port to connect to; ignored");
                        continue;
                    }
                    ck.target.endpoint = {to_asio(k.connect_ip.value_or(rs.address)),
                                          static_cast<uint16_t>(port)};
                    if (k.bindto || k.bind_port) {
                        auto addr = k.bindto ? to_asio(*k.bindto)
                                    : ck.target.endpoint.address().is_v6()
                                        ? asio::ip::address(asio::ip::address_v6::any())
                                        : asio::ip::address(asio::ip::address_v4::any());
                        ck.target.bind =
                            tcp::endpoint(addr, static_cast<uint16_t>(k.bind_port.value_or(0)));
                    }
                    ck.target.bind_if = k.bind_if;
                    ck.target.fwmark = k.fwmark.value_or(0);
                    ck.target.timeout = seconds(k.connect_timeout.value_or(5));
                }
                if (c.kind == CheckerKind::http || c.kind == CheckerKind::ssl) {
                    const auto& h = std::get<config::HttpCheck>(c.detail);
                    bool tls = c.kind == CheckerKind::ssl || h.ssl;
                    auto urls = h.urls;
                    if (urls.empty()) {
                        notes_.push_back(where + ": no url; checking GET / for a 2xx status");
                        urls.emplace_back().path = "/";
                    }
                    for (const auto& u : urls) {
                        UrlCheck uc;
                        HttpRequest req;
                        req.path = u.path.empty() ? "/" : u.path;
                        std::string vhost = !u.virtualhost.empty()   ? u.virtualhost
                                            : !h.virtualhost.empty() ? h.virtualhost
                                                                     : vs.virtualhost;
                        req.host = host_header(vhost, ck.target.endpoint, tls);
                        req.version = h.http_protocol == "1.1" ? 11 : 10;
                        req.connection_close =
                            h.http_protocol == "1.0C" || h.http_protocol == "1.1";
                        req.tls = tls;
                        if (tls && h.enable_sni)
                            req.sni = !h.sni_name.empty() ? h.sni_name : vhost;
                        req.body_limit = options_.body_limit;
                        req.digest = !u.digest.empty();
                        uc.request = std::make_shared<const PreparedRequest>(std::move(req));
                        uc.status_codes = u.status_codes;
                        uc.digest = u.digest;
                        ck.urls.push_back(std::move(uc));
                    }
                }
                if (c.kind == CheckerKind::misc) {
                    ck.misc = &std::get<config::MiscCheck>(c.detail);
                    ck.misc_timeout = seconds(
                        ck.misc->misc_timeout.value_or(k.delay_loop.value_or(vs.delay_loop)));
                }
                // The first check comes after up to `warmup` (default delay_loop, as keepalived),
                // so that thousands of checkers do not all fire at once.
                Duration spread = options_.first_check_spread;
                if (spread < Duration::zero())
                    spread = k.warmup ? seconds(*k.warmup) : t.delay_loop;
                // Golden-ratio steps spread any number of checkers evenly and reproducibly.
                double frac = std::fmod(static_cast<double>(checks_.size()) * 0.6180339887, 1.0);
                ck.first_delay = std::chrono::duration_cast<Duration>(spread * frac);
                ck.log_all_failures = k.log_all_failures;
                ck.configured_weight = rs.weight;
                server.checks.push_back(checks_.size());
                checks_.push_back(std::move(ck));
            }
            std::vector<const CheckState*> states;
            for (size_t i : server.checks)
                states.push_back(&checks_[i].state);
            server.health = server_health(states, rs.weight);
            server_index_[server.ref] = servers_.size();
            servers_.push_back(std::move(server));
        }
    }
    Health h = health();
    for (size_t vi = 0; vi < vss.size(); ++vi)
        quorum_.emplace_back(vss[vi].quorum, vss[vi].hysteresis, live_weight(config_, h, vi));
}

Health CheckerSet::health() const {
    Health h;
    for (const auto& s : servers_)
        h.servers[s.ref] = s.health;
    for (const auto& q : quorum_)
        h.quorum_up.push_back(q.up());
    return h;
}

const CheckState* CheckerSet::state(const CheckerId& id) const {
    for (const auto& c : checks_)
        if (c.id.server == id.server && c.id.index == id.index)
            return &c.state;
    return nullptr;
}

std::optional<Duration> CheckerSet::first_delay(const CheckerId& id) const {
    for (const auto& c : checks_)
        if (c.id.server == id.server && c.id.index == id.index)
            return c.first_delay;
    return std::nullopt;
}

std::string CheckerSet::service_name(size_t vi) const {
    const auto& vs = config_.virtual_servers[vi];
    return vs.kind == config::VirtualServerKind::fwmark ? "fwmark " + std::to_string(vs.fwmark)
           : vs.kind == config::VirtualServerKind::group
               ? "group " + vs.group
               : vs.address.str() + ":" + std::to_string(vs.port);
}

// A virtual server as a reload recognizes it: its name, and the protocol (a TCP and a UDP
// service may share an address and port).
std::string CheckerSet::service_key(size_t vi) const {
    return service_name(vi) + "/" +
           std::to_string(static_cast<int>(config_.virtual_servers[vi].protocol));
}

std::string CheckerSet::checker_key(const Check& c) const {
    const auto& rs =
        config_.virtual_servers[c.id.server.virtual_server].real_servers[c.id.server.real_server];
    return service_key(c.id.server.virtual_server) + " " + endpoint_text(rs) + " #" +
           std::to_string(c.id.index) + " " + std::string(config::checker_keyword(c.kind));
}

void CheckerSet::inherit(const CheckerSet& old) {
    std::map<std::string, const Check*> before;
    for (const auto& c : old.checks_)
        before[old.checker_key(c)] = &c;
    auto now = GridTimers::Clock::now();
    for (auto& c : checks_) {
        auto it = before.find(checker_key(c));
        if (it == before.end())
            continue;
        const Check& was = *it->second;
        c.state.assume(was.state);
        // It runs when it was due, not a first delay later: reloads that come more often than
        // delay_loop must not keep a checker from ever running, or from reaching its verdict.
        if (was.due_at)
            c.first_delay = std::clamp(*was.due_at - now, Duration::zero(), c.first_delay);
        if (c.state.retrying())
            c.first_delay = std::min(c.first_delay, c.state.timing().delay_before_retry);
    }
    for (auto& s : servers_) {
        std::vector<const CheckState*> states;
        for (size_t i : s.checks)
            states.push_back(&checks_[i].state);
        s.health = server_health(
            states,
            config_.virtual_servers[s.ref.virtual_server].real_servers[s.ref.real_server].weight);
    }
    // A service's quorum keeps its verdict and moves only as its hysteresis allows: rebuilt
    // from the live weight alone, a quorum held up within the hysteresis would fall (the
    // sorry server taking over, without quorum_down) on a reload that changed nothing.
    std::map<std::string, bool> was_up;
    for (size_t vi = 0; vi < old.quorum_.size(); ++vi)
        was_up[old.service_key(vi)] = old.quorum_[vi].up();
    Health h = health();
    quorum_.clear();
    for (size_t vi = 0; vi < config_.virtual_servers.size(); ++vi) {
        const auto& vs = config_.virtual_servers[vi];
        int live = live_weight(config_, h, vi);
        quorum_.emplace_back(vs.quorum, vs.hysteresis, live);
        if (auto it = was_up.find(service_key(vi)); it != was_up.end()) {
            quorum_.back().assume(it->second);
            // New settings (quorum, hysteresis) may move it: then it is a change to report.
            if (quorum_.back().update(live))
                run_script(quorum_.back().up() ? vs.quorum_up : vs.quorum_down);
        }
    }
}

void CheckerSet::start() {
    if (running_)
        return;
    running_ = true;
    for (size_t i = 0; i < checks_.size(); ++i) {
        checks_[i].due = std::make_unique<Due>(*this, i);
        schedule(i, checks_[i].first_delay);
    }
}

void CheckerSet::stop() {
    running_ = false;
    ++generation_;
    for (auto& c : checks_)
        if (c.due)
            c.due->cancel();
}

size_t CheckerSet::notify_shutdown(notify::ScriptRunner& runner) {
    size_t started = 0;
    auto run = [&](const std::optional<config::Script>& s) {
        if (s) {
            run_script(runner, s);
            ++started;
        }
    };
    for (const auto& s : servers_) {
        const auto& vs = config_.virtual_servers[s.ref.virtual_server];
        if (vs.omega && s.health.up)
            run(vs.real_servers[s.ref.real_server].notify_down);
    }
    for (size_t vi = 0; vi < quorum_.size(); ++vi) {
        const auto& vs = config_.virtual_servers[vi];
        if (vs.omega && quorum_[vi].up())
            run(vs.quorum_down);
    }
    if (started)
        log::info("shutdown: " + std::to_string(started) +
                  " notify_down/quorum_down script(s) of virtual servers with omega");
    return started;
}

void CheckerSet::schedule(size_t i, Duration after) {
    if (!running_)
        return;
    auto& c = checks_[i];
    c.due_at = GridTimers::Clock::now() + after;
    probes_->timers.set(*c.due, *c.due_at);
}

void CheckerSet::run(size_t i) {
    // Results of a run started before stop() are dropped, also after a new start().
    auto done = [this, alive = alive_, i, gen = generation_](const Result& r) {
        if (*alive && running_ && gen == generation_)
            result(i, r);
    };
    auto& c = checks_[i];
    switch (c.kind) {
    case CheckerKind::tcp:
        tcp_probe(io_, c.target, std::move(done), probes_);
        break;
    case CheckerKind::http:
    case CheckerKind::ssl:
        run_url(i, 0, std::move(done));
        break;
    case CheckerKind::agent:
        agent_probe(
            io_, c.target, agent_line_limit,
            [done, w = c.configured_weight](const AgentReply& r) {
                done(r.ok ? agent_result(r.line, w)
                          : Result{false, std::nullopt, "agent: " + r.error});
            },
            probes_);
        break;
    case CheckerKind::misc: {
        bool dynamic = c.misc->misc_dynamic;
        runner_.run(
            c.misc->misc_path, {}, c.misc_timeout,
            [done, dynamic](const notify::ExitStatus& s) { done(misc_result(s, dynamic)); });
        break;
    }
    default:
        break;
    }
}

// Why a url's reply fails its check; nullopt when it passes.
std::optional<std::string> CheckerSet::url_failure(const UrlCheck& u, const HttpReply& r) {
    if (!r.ok)
        return r.error;
    if (!status_ok(r.status, u.status_codes))
        return "status " + std::to_string(r.status);
    if (!u.digest.empty() && r.digest != u.digest)
        return "digest " + r.digest + ", expected " + u.digest;
    return std::nullopt;
}

// URLs are fetched one after the other; the first that fails fails the check.
void CheckerSet::run_url(size_t i, size_t url, std::function<void(Result)> done) {
    auto& c = checks_[i];
    if (url >= c.urls.size())
        return done(Result{true, std::nullopt, "all urls answered as expected"});
    http_probe(
        io_, tls_, c.target, c.urls[url].request,
        [this, alive = alive_, i, url, gen = generation_,
         done = std::move(done)](const HttpReply& r) mutable {
            if (!*alive || !running_ || gen != generation_)
                return; // stopped: no more urls to fetch for a result that would be dropped
            const auto& u = checks_[i].urls[url];
            if (auto why = url_failure(u, r))
                return done(Result{false, std::nullopt, u.request->request.path + ": " + *why});
            run_url(i, url + 1, std::move(done));
        },
        probes_);
}

std::string CheckerSet::server_name(const RealServerRef& r) const {
    const auto& rs = config_.virtual_servers[r.virtual_server].real_servers[r.real_server];
    return endpoint_text(rs) + " of virtual_server " + service_name(r.virtual_server);
}

void CheckerSet::result(size_t i, const Result& r) {
    auto& c = checks_[i];
    auto step = c.state.on_result(r);
    if (on_result_)
        on_result_(c.id, r, c.state);
    if (!r.ok && c.log_all_failures)
        log::warning(std::string(config::checker_keyword(c.kind)) + " of " +
                     server_name(c.id.server) + " failed: " + r.reason);
    if (step.changed)
        server_changed(server_index_.at(c.id.server),
                       std::string(config::checker_keyword(c.kind)) + ": " + r.reason);
    schedule(i, step.next);
}

void CheckerSet::run_script(notify::ScriptRunner& runner, const std::optional<config::Script>& s) {
    if (!s)
        return;
    runner.run(*s, {}, std::chrono::seconds(60), [cmd = s->command](const notify::ExitStatus& e) {
        if (!e.success())
            log::warning("script '" + cmd + "': " + notify::describe(e));
    });
}

void CheckerSet::server_changed(size_t si, const std::string& why) {
    auto& s = servers_[si];
    const auto& vs = config_.virtual_servers[s.ref.virtual_server];
    const auto& rs = vs.real_servers[s.ref.real_server];
    std::vector<const CheckState*> states;
    for (size_t i : s.checks)
        states.push_back(&checks_[i].state);
    auto h = server_health(states, rs.weight);
    if (h == s.health)
        return;
    bool up_changed = h.up != s.health.up;
    s.health = h;
    if (up_changed) {
        log::info("real server " + server_name(s.ref) + " is " + (h.up ? "up" : "down") + " (" +
                  why + ")");
        run_script(h.up ? rs.notify_up : rs.notify_down);
    }
    // The quorum first, so that on_change sees a table that already follows it.
    size_t vi = s.ref.virtual_server;
    int live = 0;
    for (size_t ri = 0; ri < vs.real_servers.size(); ++ri) {
        const auto& other = servers_[server_index_.at({vi, ri})].health;
        if (other.up)
            live += other.weight;
    }
    bool quorum_changed = quorum_[vi].update(live);
    if (quorum_changed)
        run_script(quorum_[vi].up() ? vs.quorum_up : vs.quorum_down);
    auto ref = s.ref;
    if (on_change_)
        on_change_(ref, h.up, h.weight);
    if (quorum_changed && on_quorum_)
        on_quorum_(vi, quorum_[vi].up());
}

} // namespace lvsd::director::checks
