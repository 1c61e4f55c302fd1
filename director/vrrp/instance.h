// The I/O shell of one VRRP instance: it owns the raw socket and the timers on the daemon's event
// loop, feeds the state machine with received adverts, link changes and the clock, and performs
// the actions it returns (send adverts, move the VIPs, announce them).
#pragma once

#include "net/ip_address.h"
#include "vrrp/announcer.h"
#include "vrrp/drop_reason.h"
#include "vrrp/instance_spec.h"
#include "vrrp/state_machine.h"
#include "vrrp/vrrp_socket.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <optional>

namespace lvsd::net {
class RouteSocket;
}

namespace lvsd::vrrp {

struct InstanceCounters {
    uint64_t adverts_sent = 0;
    uint64_t adverts_received = 0;
    uint64_t send_errors = 0;
    uint64_t became_master = 0;
    uint64_t priority_zero_received = 0;
    uint64_t other_master_seen = 0;   // adverts from another master while we were master
    uint64_t other_vrid_received = 0; // for another VRID (another instance on the link): not drops
    DropCounters drops;
};

class Instance {
public:
    using StateHook = std::function<void(const InstanceSpec&, State from, State to, int priority)>;

    Instance(boost::asio::io_context& io, InstanceSpec spec, net::RouteSocket& rt,
             Announcer& announcer, StateHook on_state);
    ~Instance();
    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;

    // Opens the socket and enters BACKUP (or MASTER as address owner, FAULT with the link down).
    // Throws std::runtime_error with a message naming the instance when it cannot run.
    void start();
    // Clean stop: a master sends priority 0 so that the backup takes over at once; VIPs removed.
    void stop();
    void link_changed(int ifindex, bool running);
    // What tracked scripts and interfaces make of the instance: its effective priority (1..255)
    // and whether one of them puts it in FAULT. The instance runs only while its own link is up
    // and no tracked item says FAULT. Before start(), it is what start() begins with.
    void set_tracking(int priority, bool fault);
    // A reload's spec that differs only in addresses and garp settings (same_but_addresses):
    // a MASTER removes the VIPs and routes that went, adds and announces those that came; the
    // adverts carry the new list from now on. No state change.
    void update(InstanceSpec next);
    // vrrp_sync_group: follow another member into MASTER or BACKUP.
    void follow(State to);
    bool link_running() const { return link_running_; }

    const InstanceSpec& spec() const { return spec_; }
    State state() const;
    nlohmann::json stats() const;

private:
    void perform(const Actions& actions, TimePoint now);
    void update_usable(TimePoint now, bool was_usable);
    void arm_timer();
    void on_timer();
    void wait_readable();
    void drain_socket(TimePoint now);
    void send_advert(uint8_t priority);
    void warn_other_master(TimePoint t, const net::IpAddress& from, uint8_t priority);
    bool resolve_source();
    void add_vips() { add_vips(spec_.vips); }
    void add_vips(const std::vector<Vip>& vips);
    void remove_vips() { remove_vips(spec_.vips); }
    void remove_vips(const std::vector<Vip>& vips);
    void add_routes() { add_routes(spec_.routes); }
    void add_routes(const std::vector<VirtualRoute>& routes);
    void remove_routes() { remove_routes(spec_.routes); }
    void remove_routes(const std::vector<VirtualRoute>& routes);
    void announce(int repeat) { announce(repeat, spec_.vips); }
    void announce(int repeat, const std::vector<Vip>& vips);
    void schedule_garp(Duration after, int repeat);

    boost::asio::io_context& io_;
    InstanceSpec spec_;
    net::RouteSocket& rt_;
    Announcer& announcer_;
    StateHook on_state_;
    std::optional<StateMachine> sm_;
    std::unique_ptr<VrrpSocket> sock_;
    std::unique_ptr<boost::asio::posix::stream_descriptor> readable_;
    boost::asio::steady_timer timer_;
    boost::asio::steady_timer garp_timer_;
    // Handlers hold a weak reference: one that was already queued when the instance went away
    // sees it expired and does nothing.
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
    int ifindex_ = 0;
    std::optional<net::IpAddress> source_;
    std::optional<net::IpAddress> master_; // source of the last accepted advert
    InstanceCounters counters_;
    int last_send_error_ = 0;
    bool link_running_ = true;
    bool tracked_fault_ = false;
    std::optional<uint8_t> tracked_priority_; // set before start()
    TimePoint next_split_brain_warning_{};
};

} // namespace lvsd::vrrp
