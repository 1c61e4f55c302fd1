#include "vrrp/state_machine.h"

#include <stdexcept>

namespace lvsd::vrrp {

StateMachine::StateMachine(InstanceParams params)
    : params_(std::move(params)), priority_(params_.priority),
      master_adver_interval_cs_(params_.advert_interval_cs) {
    if (params_.priority == 0)
        throw std::invalid_argument("vrrp: priority must be 1..255");
    if (params_.advert_interval_cs == 0 || params_.advert_interval_cs > 0x0fff)
        throw std::invalid_argument("vrrp: advert interval must be 1..4095 centiseconds");
    if (params_.version == Version::v2 && params_.advert_interval_cs % 100 != 0)
        throw std::invalid_argument("vrrp: VRRPv2 advert interval must be whole seconds");
}

std::optional<TimePoint> StateMachine::next_deadline() const {
    if (state_ == State::backup)
        return master_down_;
    if (state_ == State::master)
        return adver_;
    return std::nullopt;
}

void StateMachine::change(State to, Actions& out) {
    out.push_back(StateChanged{state_, to});
    state_ = to;
}

void StateMachine::reset_master_down(TimePoint now) {
    master_down_ =
        now + master_down_interval(params_.version, priority_, master_adver_interval_cs_);
}

void StateMachine::adopt_interval(uint16_t interval_cs) {
    // v2 has no Master_Adver_Interval (the codec drops differing intervals); a zero interval
    // would make the master look dead at once, so it is not adopted.
    if (params_.version == Version::v3 && interval_cs != 0)
        master_adver_interval_cs_ = interval_cs;
}

void StateMachine::enter_master(TimePoint now, Actions& out) {
    out.push_back(SendAdvert{priority_});
    out.push_back(BecomeMaster{});
    adver_ = now + centiseconds(params_.advert_interval_cs);
    change(State::master, out);
}

void StateMachine::enter_backup(TimePoint now, Actions& out) {
    out.push_back(BecomeBackup{});
    reset_master_down(now);
    change(State::backup, out);
}

bool StateMachine::may_preempt(TimePoint now) const {
    return params_.preempt && now >= started_ + params_.preempt_delay;
}

bool StateMachine::wins_over_us(const ReceivedAdvert& a) const {
    if (a.priority != priority_)
        return a.priority > priority_;
    // Equal priority: the higher primary address wins; bytes are in network order.
    return a.source.bytes > params_.primary_address.bytes;
}

Actions StateMachine::start(TimePoint now) {
    Actions out;
    if (state_ != State::init)
        return out;
    started_ = now;
    master_adver_interval_cs_ = params_.advert_interval_cs;
    if (!link_up_) {
        out.push_back(EnterFault{});
        change(State::fault, out);
    } else if (priority_ == 255) {
        enter_master(now, out);
    } else {
        enter_backup(now, out);
    }
    return out;
}

Actions StateMachine::shutdown(TimePoint) {
    Actions out;
    if (state_ == State::init)
        return out;
    if (state_ == State::master)
        out.push_back(SendAdvert{0}); // lets a backup take over after Skew_Time only
    out.push_back(Stop{});
    change(State::init, out);
    return out;
}

Actions StateMachine::on_advert(TimePoint now, const ReceivedAdvert& a) {
    Actions out;
    if (state_ == State::backup) {
        if (a.priority == 0) {
            master_down_ = now + skew_time(params_.version, priority_, master_adver_interval_cs_);
        } else if (a.priority >= priority_ || !may_preempt(now)) {
            adopt_interval(a.interval_cs);
            reset_master_down(now);
        }
        // A lower-priority master while we may preempt: let Master_Down_Timer run out.
    } else if (state_ == State::master) {
        if (a.priority == 0) {
            out.push_back(SendAdvert{priority_});
            adver_ = now + centiseconds(params_.advert_interval_cs);
        } else if (wins_over_us(a)) {
            adopt_interval(a.interval_cs);
            out.push_back(BecomeBackup{});
            reset_master_down(now);
            change(State::backup, out);
        }
        // Otherwise our next advertisement makes the other router back off.
    }
    return out;
}

Actions StateMachine::on_timer(TimePoint now) {
    Actions out;
    if (state_ == State::backup && now >= master_down_) {
        enter_master(now, out);
    } else if (state_ == State::master && now >= adver_) {
        out.push_back(SendAdvert{priority_});
        adver_ = now + centiseconds(params_.advert_interval_cs);
    }
    return out;
}

Actions StateMachine::on_interface_down(TimePoint) {
    Actions out;
    link_up_ = false;
    if (state_ == State::backup || state_ == State::master) {
        out.push_back(EnterFault{});
        change(State::fault, out);
    }
    return out;
}

Actions StateMachine::on_interface_up(TimePoint now) {
    Actions out;
    link_up_ = true;
    if (state_ != State::fault)
        return out;
    // As keepalived: recover to BACKUP and let the election run, unless we own the addresses.
    master_adver_interval_cs_ = params_.advert_interval_cs;
    if (priority_ == 255)
        enter_master(now, out);
    else
        enter_backup(now, out);
    return out;
}

Actions StateMachine::set_priority(TimePoint now, uint8_t priority) {
    if (priority == 0)
        throw std::invalid_argument("vrrp: effective priority must be 1..255");
    Actions out;
    if (priority == priority_)
        return out;
    priority_ = priority;
    // A master announces the change at once, so a now-stronger backup can start preempting
    // without waiting for the next interval.
    if (state_ == State::master) {
        out.push_back(SendAdvert{priority_});
        adver_ = now + centiseconds(params_.advert_interval_cs);
    }
    return out;
}

Actions StateMachine::follow(TimePoint now, State to) {
    Actions out;
    if (to == State::master && state_ == State::backup) {
        enter_master(now, out);
    } else if (to == State::backup && state_ == State::master) {
        out.push_back(BecomeBackup{});
        reset_master_down(now);
        change(State::backup, out);
    }
    return out;
}

} // namespace lvsd::vrrp
