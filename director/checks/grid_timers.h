// Timers on a 10 ms grid, all behind one asio timer: for what runs by the thousand a second and
// needs no finer time, when each health check starts and when each probe gives up. With an asio
// timer each, 10,000 checks a second arm, fire or cancel 20,000 timers in a heap, and that was
// the largest part of the checkers' own CPU after the system calls. Here an entry goes on its
// tick's list (a map lookup, and a new map node for the first entry of a tick) and cancelling
// it is an unlink; the one timer is re-armed only when the earliest tick changes.
//
// An entry fires once, from the io_context, at the first tick at or after its time (so up to
// 10 ms late, plus the loop's own latency), unless it is cancelled or destroyed first. fired()
// must not throw: the rest of its tick would be lost.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/intrusive/list.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>

namespace lvsd::director::checks {

class GridTimers {
public:
    static constexpr std::chrono::milliseconds grid{10};
    using Clock = std::chrono::steady_clock;

    class Entry : public boost::intrusive::list_base_hook<
                      boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
    public:
        virtual ~Entry() = default;
        bool pending() const { return is_linked(); }
        void cancel() { unlink(); }

    private:
        friend class GridTimers;
        virtual void fired() = 0;
    };

    explicit GridTimers(boost::asio::io_context& io);
    ~GridTimers();
    GridTimers(const GridTimers&) = delete;
    GridTimers& operator=(const GridTimers&) = delete;

    // Sets `e` (again) to fire at `when`.
    void set(Entry& e, Clock::time_point when);

private:
    using List = boost::intrusive::list<Entry, boost::intrusive::constant_time_size<false>>;

    void arm();
    void tick();

    boost::asio::steady_timer timer_;
    std::map<int64_t, List> due_; // by tick number since the clock's epoch
    int64_t armed_for_ = -1;      // the tick timer_ waits for; -1: none
    std::shared_ptr<bool> alive_; // for a completed wait still queued at destruction
};

} // namespace lvsd::director::checks
