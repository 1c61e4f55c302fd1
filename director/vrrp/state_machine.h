// One VRRP instance's protocol state (RFC 5798 section 6.4, RFC 3768 section 6.4), driven by
// events with the current time passed in. It never reads a clock, sleeps or touches a socket:
// the shell asks next_deadline(), waits, calls on_timer(), and performs the returned Actions.
#pragma once

#include "net/ip_address.h"
#include "vrrp/action.h"
#include "vrrp/packet.h"
#include "vrrp/timing.h"

#include <chrono>
#include <optional>

namespace lvsd::vrrp {

using TimePoint = std::chrono::steady_clock::time_point;

struct InstanceParams {
    Version version = Version::v3;
    uint8_t priority = 100;            // 1..255; 255 means the address owner
    uint16_t advert_interval_cs = 100; // v2: a multiple of 100 (whole seconds)
    bool preempt = true;
    Duration preempt_delay{0};      // after startup, do not preempt a lower-priority master
    net::IpAddress primary_address; // breaks ties between equal priorities
};

// The fields of a decoded, accepted advertisement that the protocol uses.
struct ReceivedAdvert {
    uint8_t priority = 0;
    uint16_t interval_cs = 0;
    net::IpAddress source;
};

class StateMachine {
public:
    explicit StateMachine(InstanceParams params); // throws std::invalid_argument

    State state() const { return state_; }
    uint8_t priority() const { return priority_; } // effective, after tracking
    uint16_t master_adver_interval_cs() const { return master_adver_interval_cs_; }
    // When on_timer must next be called; nullopt in INIT and FAULT.
    std::optional<TimePoint> next_deadline() const;

    Actions start(TimePoint now);
    Actions shutdown(TimePoint now);
    Actions on_advert(TimePoint now, const ReceivedAdvert& advert);
    Actions on_timer(TimePoint now);
    Actions on_interface_down(TimePoint now);
    Actions on_interface_up(TimePoint now);
    // Effective priority after tracked scripts/interfaces changed it (1..255).
    Actions set_priority(TimePoint now, uint8_t priority);
    // vrrp_sync_group: another member changed state, and this one follows it between BACKUP and
    // MASTER (FAULT is shared through on_interface_down instead). Other states are left alone.
    Actions follow(TimePoint now, State to);

private:
    void enter_master(TimePoint now, Actions& out);
    void enter_backup(TimePoint now, Actions& out);
    void change(State to, Actions& out);
    void reset_master_down(TimePoint now);
    void adopt_interval(uint16_t interval_cs);
    bool may_preempt(TimePoint now) const;
    bool wins_over_us(const ReceivedAdvert& a) const;

    InstanceParams params_;
    uint8_t priority_;
    uint16_t master_adver_interval_cs_;
    State state_ = State::init;
    bool link_up_ = true;
    TimePoint started_{};
    TimePoint master_down_{}; // Master_Down_Timer, in BACKUP
    TimePoint adver_{};       // Adver_Timer, in MASTER
};

} // namespace lvsd::vrrp
