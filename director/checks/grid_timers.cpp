#include "director/checks/grid_timers.h"

namespace lvsd::director::checks {

GridTimers::GridTimers(boost::asio::io_context& io)
    : timer_(io), alive_(std::make_shared<bool>(true)) {}

GridTimers::~GridTimers() {
    *alive_ = false; // the lists unlink their entries as they go
}

void GridTimers::set(Entry& e, Clock::time_point when) {
    e.unlink();
    due_[(when.time_since_epoch() + grid - Clock::duration(1)) / grid].push_back(e);
    arm();
}

// Sets the timer for the earliest tick that has entries, unless it is set for that already.
// Ticks whose entries were all cancelled (most probes end long before their deadline) go.
void GridTimers::arm() {
    while (!due_.empty() && due_.begin()->second.empty())
        due_.erase(due_.begin());
    if (due_.empty() || due_.begin()->first == armed_for_)
        return;
    armed_for_ = due_.begin()->first;
    timer_.expires_at(Clock::time_point(armed_for_ * grid));
    timer_.async_wait([this, alive = alive_](boost::system::error_code ec) {
        if (!ec && *alive) // aborted: re-armed, or destroyed
            tick();
    });
}

void GridTimers::tick() {
    armed_for_ = -1;
    const int64_t now = Clock::now().time_since_epoch() / grid;
    while (!due_.empty() && due_.begin()->first <= now) {
        List batch;
        batch.swap(due_.begin()->second);
        due_.erase(due_.begin());
        // Taken off the list before it fires: a handler may set it again, or end its owner.
        while (!batch.empty()) {
            Entry& e = batch.front();
            batch.pop_front();
            e.fired();
        }
    }
    arm();
}

} // namespace lvsd::director::checks
