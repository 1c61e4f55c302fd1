#include "vrrp/instance.h"

#include "log/log.h"
#include "net/route_socket.h"

#include <algorithm>
#include <cstring>
#include <netinet/in.h>
#include <stdexcept>

namespace lvsd::vrrp {

namespace asio = boost::asio;

namespace {

TimePoint now() {
    return std::chrono::steady_clock::now();
}

std::string upper(State s) {
    std::string n(name(s));
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::toupper(c); });
    return n;
}

bool is_link_local(const net::IpAddress& a) {
    return a.family == AF_INET6 && a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80;
}

} // namespace

Instance::Instance(asio::io_context& io, InstanceSpec spec, net::RouteSocket& rt,
                   Announcer& announcer, StateHook on_state)
    : io_(io), spec_(std::move(spec)), rt_(rt), announcer_(announcer),
      on_state_(std::move(on_state)), timer_(io), garp_timer_(io) {}

Instance::~Instance() {
    timer_.cancel();
    garp_timer_.cancel();
    if (readable_)
        readable_->release(); // the VrrpSocket owns and closes the descriptor
}

State Instance::state() const {
    return sm_ ? sm_->state() : State::init;
}

void Instance::start() {
    const std::string who = "VRRP_Instance(" + spec_.name + ")";
    ifindex_ = rt_.ifindex(spec_.interface);
    if (ifindex_ == 0)
        throw std::runtime_error(who + ": no interface " + spec_.interface);
    try {
        sock_ = std::make_unique<VrrpSocket>(spec_.family, ifindex_, spec_.interface,
                                             spec_.unicast_peers.empty());
    } catch (const std::system_error& e) {
        throw std::runtime_error(who + ": " + e.what());
    }
    readable_ = std::make_unique<asio::posix::stream_descriptor>(io_, sock_->fd());
    resolve_source();
    InstanceParams params = spec_.params;
    if (source_)
        params.primary_address = *source_;
    if (tracked_priority_)
        params.priority = *tracked_priority_;
    sm_.emplace(params);
    auto t = now();
    link_running_ = rt_.is_running(ifindex_);
    if (!link_running_ || tracked_fault_)
        sm_->on_interface_down(t);
    perform(sm_->start(t), t);
    wait_readable();
    arm_timer();
}

void Instance::stop() {
    if (!sm_)
        return;
    auto t = now();
    perform(sm_->shutdown(t), t);
    timer_.cancel();
    garp_timer_.cancel();
    alive_ = std::make_shared<int>(0); // queued handlers of this run are void from here on
}

void Instance::link_changed(int ifindex, bool running) {
    if (!sm_ || ifindex != ifindex_ || running == link_running_)
        return;
    bool was = link_running_ && !tracked_fault_;
    link_running_ = running;
    if (running)
        resolve_source();
    update_usable(now(), was);
}

void Instance::set_tracking(int priority, bool fault) {
    auto p = static_cast<uint8_t>(std::clamp(priority, 1, 255));
    if (!sm_) {
        tracked_fault_ = fault; // start() applies both
        tracked_priority_ = p;
        return;
    }
    auto t = now();
    bool was = link_running_ && !tracked_fault_;
    tracked_fault_ = fault;
    perform(sm_->set_priority(t, p), t);
    update_usable(t, was);
}

void Instance::follow(State to) {
    if (!sm_)
        return;
    auto t = now();
    perform(sm_->follow(t, to), t);
    arm_timer();
}

// The state machine knows one "interface" condition; the link and tracked FAULTs both feed it.
void Instance::update_usable(TimePoint t, bool was_usable) {
    bool usable = link_running_ && !tracked_fault_;
    if (usable != was_usable)
        perform(usable ? sm_->on_interface_up(t) : sm_->on_interface_down(t), t);
    arm_timer();
}

bool Instance::resolve_source() {
    if (spec_.source) {
        source_ = spec_.source;
        return true;
    }
    std::vector<net::InterfaceAddress> all;
    try {
        all = rt_.addresses();
    } catch (const net::NetlinkError& e) {
        log::warning("VRRP_Instance(" + spec_.name + "): " + e.what());
        return false;
    }
    for (const auto& ia : all) {
        if (ia.ifindex != ifindex_ || ia.address.family != spec_.family)
            continue;
        // IPv6 adverts come from the link-local address (RFC 5798 section 5.1.2.1); an IPv4
        // one from the interface's own address, never from a VIP.
        if (spec_.family == AF_INET6
                ? !is_link_local(ia.address)
                : std::any_of(spec_.vips.begin(), spec_.vips.end(),
                              [&](const Vip& v) { return v.address.bytes == ia.address.bytes; }))
            continue;
        source_ = ia.address;
        source_->prefix_len = source_->max_prefix();
        return true;
    }
    return false;
}

void Instance::perform(const Actions& actions, TimePoint t) {
    for (const auto& a : actions) {
        if (auto* s = std::get_if<SendAdvert>(&a)) {
            send_advert(s->priority);
        } else if (std::holds_alternative<BecomeMaster>(a)) {
            ++counters_.became_master;
            add_vips();
            add_routes(); // after the VIPs: a route's `src` may be one
            announce(spec_.garp.master_repeat);
            if (spec_.garp.master_delay.count() > 0)
                schedule_garp(spec_.garp.master_delay, spec_.garp.master_repeat);
            else if (spec_.garp.master_refresh.count() > 0)
                schedule_garp(spec_.garp.master_refresh, spec_.garp.master_refresh_repeat);
        } else if (std::holds_alternative<BecomeBackup>(a) ||
                   std::holds_alternative<EnterFault>(a) || std::holds_alternative<Stop>(a)) {
            garp_timer_.cancel();
            remove_routes();
            remove_vips();
        } else if (auto* c = std::get_if<StateChanged>(&a)) {
            if (c->to != State::init)
                log::info("VRRP_Instance(" + spec_.name + ") Entering " + upper(c->to) + " STATE");
            else
                log::info("VRRP_Instance(" + spec_.name + ") stopped");
            if (on_state_)
                on_state_(spec_, c->from, c->to, sm_ ? sm_->priority() : 0);
        }
    }
    (void)t;
}

void Instance::arm_timer() {
    if (!sm_)
        return;
    auto deadline = sm_->next_deadline();
    if (!deadline) {
        timer_.cancel();
        return;
    }
    timer_.expires_at(*deadline);
    std::weak_ptr<int> alive = alive_;
    timer_.async_wait([this, alive](const boost::system::error_code& ec) {
        if (ec || alive.expired())
            return;
        on_timer();
    });
}

void Instance::on_timer() {
    auto t = now();
    // Read what has arrived first: when this process ran late (a saturated CPU), the adverts
    // that kept the master alive are waiting in the socket, and acting on the timer alone would
    // be a false failover.
    drain_socket(t);
    auto deadline = sm_->next_deadline();
    if (deadline && t >= *deadline)
        perform(sm_->on_timer(t), t);
    arm_timer();
}

void Instance::wait_readable() {
    std::weak_ptr<int> alive = alive_;
    readable_->async_wait(asio::posix::stream_descriptor::wait_read,
                          [this, alive](const boost::system::error_code& ec) {
                              if (ec || alive.expired())
                                  return;
                              drain_socket(now());
                              arm_timer();
                              wait_readable();
                          });
}

void Instance::drain_socket(TimePoint t) {
    // Bounded per wake-up so a flood cannot starve the timers; the rest comes next time.
    for (int i = 0; i < 256; ++i) {
        auto d = sock_->receive();
        if (!d)
            return;
        if (d->malformed) {
            counters_.drops.count(DropReason::too_short);
            continue;
        }
        if (source_ && d->src.bytes == source_->bytes)
            continue; // our own advert, looped back by a bridge or a second socket
        // Every instance's socket sees every VRRP packet on the link; those of other VRIDs belong
        // to other instances (RFC 5798 7.1 discards them), so they are not this one's drops.
        if (d->payload.size() >= 2 && d->payload[1] != spec_.advert.vrid) {
            ++counters_.other_vrid_received;
            continue;
        }
        if (!spec_.unicast_peers.empty() &&
            std::none_of(spec_.unicast_peers.begin(), spec_.unicast_peers.end(),
                         [&](const net::IpAddress& p) { return p.bytes == d->src.bytes; })) {
            counters_.drops.count(DropReason::unknown_source);
            continue;
        }
        auto r = decode(d->payload, d->src, d->dst, d->ttl, spec_.expected);
        if (auto* why = std::get_if<DropReason>(&r)) {
            counters_.drops.count(*why);
            continue;
        }
        const auto& advert = std::get<Advert>(r);
        ++counters_.adverts_received;
        if (state() == State::master && advert.priority != 0)
            warn_other_master(t, d->src, advert.priority);
        if (advert.priority == 0)
            ++counters_.priority_zero_received;
        else
            master_ = d->src;
        perform(sm_->on_advert(t, ReceivedAdvert{advert.priority, advert.interval_cs, d->src}), t);
    }
}

// Two masters on one VRID: each had lost the other's adverts (a filter, a broken link). The
// election settles it; the operator should still hear that it happened.
void Instance::warn_other_master(TimePoint t, const net::IpAddress& from, uint8_t priority) {
    ++counters_.other_master_seen;
    if (t < next_split_brain_warning_)
        return;
    next_split_brain_warning_ = t + std::chrono::seconds(10);
    log::warning("VRRP_Instance(" + spec_.name + "): another MASTER on VRID " +
                 std::to_string(spec_.advert.vrid) + ": " + from.str() + " (priority " +
                 std::to_string(priority) + "); split brain until the election settles it");
}

void Instance::send_advert(uint8_t priority) {
    if (!source_ && !resolve_source()) {
        ++counters_.send_errors;
        if (last_send_error_ != -1)
            log::warning("VRRP_Instance(" + spec_.name + "): no " +
                         (spec_.family == AF_INET ? "IPv4" : "link-local IPv6") + " address on " +
                         spec_.interface + " to send adverts from");
        last_send_error_ = -1;
        return;
    }
    Advert a = spec_.advert;
    a.priority = priority;
    std::vector<net::IpAddress> to = spec_.unicast_peers;
    if (to.empty())
        to.push_back(multicast_group(spec_.family));
    for (const auto& dst : to) {
        int err = sock_->send(encode(a, *source_, dst), *source_, dst);
        if (err == 0) {
            ++counters_.adverts_sent;
            last_send_error_ = 0;
            continue;
        }
        ++counters_.send_errors;
        if (err != last_send_error_) // one line per kind of failure, not one per advert
            log::warning("VRRP_Instance(" + spec_.name + "): cannot send to " + dst.str() + ": " +
                         std::strerror(err));
        last_send_error_ = err;
    }
}

void Instance::add_vips(const std::vector<Vip>& vips) {
    std::vector<net::InterfaceAddress> have;
    try {
        have = rt_.addresses();
    } catch (const net::NetlinkError& e) {
        log::error("VRRP_Instance(" + spec_.name + "): " + e.what());
    }
    for (const auto& v : vips) {
        try {
            int idx = rt_.ifindex(v.dev);
            if (idx == 0) {
                log::error("VRRP_Instance(" + spec_.name + "): no interface " + v.dev + " for " +
                           v.address.str_prefixed());
                continue;
            }
            if (!net::contains(have, idx, v.address))
                rt_.add_address(idx, v.address, v.label, v.scope);
        } catch (const net::NetlinkError& e) {
            log::error("VRRP_Instance(" + spec_.name + "): " + e.what());
        }
    }
}

void Instance::remove_vips(const std::vector<Vip>& vips) {
    std::vector<net::InterfaceAddress> have;
    try {
        have = rt_.addresses();
    } catch (const net::NetlinkError& e) {
        log::error("VRRP_Instance(" + spec_.name + "): " + e.what());
        return;
    }
    for (const auto& v : vips) {
        try {
            int idx = rt_.ifindex(v.dev);
            if (idx != 0 && net::contains(have, idx, v.address))
                rt_.remove_address(idx, v.address);
        } catch (const net::NetlinkError& e) {
            log::error("VRRP_Instance(" + spec_.name + "): " + e.what());
        }
    }
}

void Instance::add_routes(const std::vector<VirtualRoute>& routes) {
    for (const auto& v : routes) {
        net::Route r = v.route;
        try {
            if (!v.dev.empty() && (r.ifindex = rt_.ifindex(v.dev)) == 0) {
                log::error("VRRP_Instance(" + spec_.name + "): no interface " + v.dev +
                           " for route " + r.destination.str_prefixed());
                continue;
            }
            rt_.add_route(r);
        } catch (const net::NetlinkError& e) {
            log::error("VRRP_Instance(" + spec_.name + "): " + e.what());
        }
    }
}

void Instance::remove_routes(const std::vector<VirtualRoute>& routes) {
    for (const auto& v : routes) {
        net::Route r = v.route;
        try {
            if (!v.dev.empty() && (r.ifindex = rt_.ifindex(v.dev)) == 0)
                continue; // the device went away, and its routes with it
            rt_.remove_route(r);
        } catch (const net::NetlinkError& e) {
            log::error("VRRP_Instance(" + spec_.name + "): " + e.what());
        }
    }
}

void Instance::announce(int repeat, const std::vector<Vip>& vips) {
    for (const auto& v : vips) {
        int idx = 0;
        Mac mac{};
        try {
            idx = rt_.ifindex(v.dev);
            auto hw = idx ? rt_.hardware_address(idx) : std::vector<uint8_t>{};
            if (hw.size() != mac.size())
                continue; // no Ethernet address (lo, tun): nobody to tell
            std::copy(hw.begin(), hw.end(), mac.begin());
        } catch (const net::NetlinkError&) {
            continue;
        }
        for (int i = 0; i < repeat; ++i)
            if (int err = announcer_.announce(idx, mac, v.address); err != 0) {
                log::warning("VRRP_Instance(" + spec_.name + "): cannot announce " +
                             v.address.str() + ": " + std::strerror(err));
                break;
            }
    }
}

void Instance::update(InstanceSpec next) {
    auto minus = [](const auto& a, const auto& b) {
        std::decay_t<decltype(a)> out;
        for (const auto& x : a)
            if (std::find(b.begin(), b.end(), x) == b.end())
                out.push_back(x);
        return out;
    };
    auto came = minus(next.vips, spec_.vips);
    bool master = sm_ && state() == State::master;
    if (master) {
        remove_routes(minus(spec_.routes, next.routes));
        remove_vips(minus(spec_.vips, next.vips));
        add_vips(came);
        add_routes(minus(next.routes, spec_.routes));
    }
    spec_ = std::move(next);
    if (master)
        announce(spec_.garp.master_repeat, came);
    log::info("VRRP_Instance(" + spec_.name + ") addresses updated in place");
}

void Instance::schedule_garp(Duration after, int repeat) {
    garp_timer_.expires_after(after);
    std::weak_ptr<int> alive = alive_;
    garp_timer_.async_wait([this, alive, repeat](const boost::system::error_code& ec) {
        if (ec || alive.expired() || state() != State::master)
            return;
        announce(repeat);
        if (spec_.garp.master_refresh.count() > 0)
            schedule_garp(spec_.garp.master_refresh, spec_.garp.master_refresh_repeat);
    });
}

nlohmann::json Instance::stats() const {
    nlohmann::json drops = nlohmann::json::object();
    counters_.drops.for_each([&](DropReason r, uint64_t n) { drops[std::string(name(r))] = n; });
    nlohmann::json j = {
        {"name", spec_.name},
        {"interface", spec_.interface},
        {"vrid", spec_.advert.vrid},
        {"state", std::string(name(state()))},
        {"priority", spec_.params.priority},
        {"effective_priority", sm_ ? sm_->priority() : spec_.params.priority},
        {"adverts_sent", counters_.adverts_sent},
        {"adverts_received", counters_.adverts_received},
        {"priority_zero_received", counters_.priority_zero_received},
        {"send_errors", counters_.send_errors},
        {"became_master", counters_.became_master},
        {"other_master_seen", counters_.other_master_seen},
        {"dropped", drops},
        {"dropped_total", counters_.drops.total()},
        {"other_vrid_received", counters_.other_vrid_received},
    };
    j["master"] = master_ ? master_->str() : "";
    j["source"] = source_ ? source_->str() : "";
    return j;
}

} // namespace lvsd::vrrp
