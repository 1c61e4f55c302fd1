#include "director/checks/check_state.h"

#include <algorithm>

namespace lvsd::director::checks {

CheckState::CheckState(const Timing& t)
    : timing_(t), up_(!t.alpha), retries_left_(std::max(0, t.retry)) {}

CheckState::Step CheckState::on_result(const Result& r) {
    Step s;
    s.next = timing_.delay_loop;
    if (r.ok) {
        retries_left_ = std::max(0, timing_.retry);
        s.changed = !up_ || r.weight != weight_;
        up_ = true;
        weight_ = r.weight;
        return s;
    }
    if (!up_)
        return s; // already down: keep checking at the normal pace
    if (retries_left_ > 0) {
        --retries_left_;
        s.next = timing_.delay_before_retry;
        return s;
    }
    retries_left_ = std::max(0, timing_.retry);
    up_ = false;
    weight_.reset();
    s.changed = true;
    return s;
}

ServerHealth server_health(const std::vector<const CheckState*>& checkers, int configured_weight) {
    ServerHealth h{true, configured_weight};
    // keepalived.conf(5): each dynamic checker moves the weight by (its weight - configured);
    // with one, the weight is simply the one it asked for.
    long weight = configured_weight;
    for (const auto* c : checkers) {
        if (!c->up())
            h.up = false;
        if (auto w = c->weight())
            weight += static_cast<long>(*w) - configured_weight;
    }
    h.weight = static_cast<int>(std::clamp(weight, 0L, 65535L));
    return h;
}

Quorum::Quorum(int quorum, int hysteresis, int live_weight)
    : quorum_(quorum), hysteresis_(std::max(0, hysteresis)), up_(live_weight >= quorum) {}

bool Quorum::update(int live_weight) {
    bool was = up_;
    if (up_ && live_weight < quorum_ - hysteresis_)
        up_ = false;
    else if (!up_ && live_weight >= quorum_ + hysteresis_)
        up_ = true;
    return up_ != was;
}

} // namespace lvsd::director::checks
