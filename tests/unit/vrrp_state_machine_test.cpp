#define BOOST_TEST_MODULE vrrp_state_machine
#include <boost/test/unit_test.hpp>

#include "vrrp/state_machine.h"

#include <algorithm>
#include <deque>

using namespace lvsd;
using namespace lvsd::vrrp;
using namespace std::chrono_literals;

static const TimePoint t0{};

static net::IpAddress ip(const char* text) {
    return *net::IpAddress::parse(text);
}

static InstanceParams params(uint8_t priority, const char* addr = "10.0.0.1",
                             Version v = Version::v3) {
    InstanceParams p;
    p.version = v;
    p.priority = priority;
    p.advert_interval_cs = 100;
    p.primary_address = ip(addr);
    return p;
}

static ReceivedAdvert advert(uint8_t priority, const char* from = "10.0.0.9",
                             uint16_t interval_cs = 100) {
    return {priority, interval_cs, ip(from)};
}

template <class T> static bool has(const Actions& a) {
    return std::any_of(a.begin(), a.end(),
                       [](const Action& x) { return std::holds_alternative<T>(x); });
}

static bool changed(const Actions& a, State from, State to) {
    return std::find(a.begin(), a.end(), Action{StateChanged{from, to}}) != a.end();
}

BOOST_AUTO_TEST_CASE(timing_formulas) {
    // v2, priority 100, 1 s: 3 s + 156/256 s.
    BOOST_CHECK(master_down_interval(Version::v2, 100, 100) == 3s + 609375us);
    BOOST_CHECK(skew_time(Version::v3, 200, 100) == 218750us);  // 56/256 of 1 s
    BOOST_CHECK(skew_time(Version::v3, 100, 300) == 1828125us); // 156*300/256 cs
    BOOST_CHECK(skew_time(Version::v2, 100, 300) == 609375us);  // v2 skew ignores interval
    BOOST_CHECK(skew_time(Version::v3, 255, 100) == 3906us);
}

BOOST_AUTO_TEST_CASE(single_node_becomes_master_after_master_down_interval) {
    StateMachine m(params(100, "10.0.0.1", Version::v2));
    auto a = m.start(t0);
    BOOST_CHECK(a == (Actions{BecomeBackup{}, StateChanged{State::init, State::backup}}));
    const TimePoint down = t0 + 3s + 609375us;
    BOOST_REQUIRE(m.next_deadline() == down);
    BOOST_CHECK(m.on_timer(down - 1us).empty());
    BOOST_CHECK_EQUAL(name(m.state()), "BACKUP");
    a = m.on_timer(down);
    BOOST_CHECK(a == (Actions{SendAdvert{100}, BecomeMaster{},
                              StateChanged{State::backup, State::master}}));
    BOOST_CHECK(m.next_deadline() == down + 1s);
    BOOST_CHECK(m.on_timer(down + 1s) == Actions{SendAdvert{100}});
    BOOST_CHECK(m.next_deadline() == down + 2s);
}

BOOST_AUTO_TEST_CASE(address_owner_is_master_at_once) {
    StateMachine m(params(255));
    BOOST_CHECK(m.start(t0) == (Actions{SendAdvert{255}, BecomeMaster{},
                                        StateChanged{State::init, State::master}}));
    BOOST_CHECK(m.next_deadline() == t0 + 1s);
}

// A backup fed by a master that advertises every second, starting 1 s after t0.
static void feed_adverts(StateMachine& m, uint8_t master_priority, TimePoint until) {
    for (TimePoint t = t0 + 1s; t <= until && m.state() == State::backup; t += 1s) {
        if (*m.next_deadline() <= t)
            m.on_timer(*m.next_deadline());
        if (m.state() == State::backup)
            m.on_advert(t, advert(master_priority));
    }
}

BOOST_AUTO_TEST_CASE(higher_priority_master_keeps_backup_down) {
    StateMachine m(params(100));
    m.start(t0);
    feed_adverts(m, 150, t0 + 30s);
    BOOST_CHECK(m.state() == State::backup);
    feed_adverts(m, 100, t0 + 30s); // equal priority: also no preemption
    BOOST_CHECK(m.state() == State::backup);
}

BOOST_AUTO_TEST_CASE(preempts_lower_priority_master) {
    StateMachine m(params(150));
    m.start(t0);
    feed_adverts(m, 100, t0 + 30s);
    BOOST_CHECK(m.state() == State::master);
    // Lower adverts never reset the timer, so the takeover is at the first Master_Down_Interval.
    BOOST_CHECK(m.next_deadline() == t0 + master_down_interval(Version::v3, 150, 100) + 1s);
}

BOOST_AUTO_TEST_CASE(nopreempt_stays_backup) {
    auto p = params(150);
    p.preempt = false;
    StateMachine m(p);
    m.start(t0);
    feed_adverts(m, 100, t0 + 30s);
    BOOST_CHECK(m.state() == State::backup);
    BOOST_CHECK(m.next_deadline() == t0 + 30s + master_down_interval(Version::v3, 150, 100));
}

BOOST_AUTO_TEST_CASE(preempt_delay_defers_takeover) {
    auto p = params(150);
    p.preempt_delay = 10s;
    StateMachine m(p);
    m.start(t0);
    feed_adverts(m, 100, t0 + 10s);
    BOOST_CHECK(m.state() == State::backup);
    // The advert at 10 s is already ignored; the last reset was at 9 s.
    const TimePoint takeover = t0 + 9s + master_down_interval(Version::v3, 150, 100);
    BOOST_CHECK(m.next_deadline() == takeover);
    feed_adverts(m, 100, t0 + 30s);
    BOOST_CHECK(m.state() == State::master);
    BOOST_CHECK(m.next_deadline() == takeover + 1s);
}

static StateMachine started_master(InstanceParams p) {
    StateMachine m(p);
    m.start(t0);
    m.on_timer(*m.next_deadline());
    BOOST_REQUIRE(m.state() == State::master);
    return m;
}

BOOST_AUTO_TEST_CASE(master_yields_to_higher_priority_or_equal_with_higher_address) {
    const TimePoint t = t0 + 5s;
    StateMachine m = started_master(params(100, "10.0.0.5"));
    BOOST_CHECK(m.on_advert(t, advert(99, "10.0.0.200")).empty());
    BOOST_CHECK(m.on_advert(t, advert(100, "10.0.0.4")).empty()); // lower address loses
    BOOST_CHECK(m.state() == State::master);
    auto a = m.on_advert(t, advert(100, "10.0.0.6"));
    BOOST_CHECK(a == (Actions{BecomeBackup{}, StateChanged{State::master, State::backup}}));
    BOOST_CHECK(m.next_deadline() == t + master_down_interval(Version::v3, 100, 100));

    StateMachine n = started_master(params(100, "10.0.0.5"));
    n.on_advert(t, advert(101, "10.0.0.1"));
    BOOST_CHECK(n.state() == State::backup);
}

BOOST_AUTO_TEST_CASE(priority_zero_means_skew_time_takeover) {
    StateMachine m(params(100));
    m.start(t0);
    m.on_advert(t0 + 1s, advert(200));
    BOOST_CHECK(m.on_advert(t0 + 2s, advert(0)).empty());
    const TimePoint down = t0 + 2s + skew_time(Version::v3, 100, 100);
    BOOST_REQUIRE(m.next_deadline() == down);
    BOOST_CHECK(m.on_timer(down - 1us).empty());
    BOOST_CHECK(has<BecomeMaster>(m.on_timer(down)));
}

BOOST_AUTO_TEST_CASE(master_answers_priority_zero_at_once) {
    StateMachine m = started_master(params(100));
    const TimePoint t = t0 + 4s + 100ms;
    BOOST_CHECK(m.on_advert(t, advert(0)) == Actions{SendAdvert{100}});
    BOOST_CHECK(m.next_deadline() == t + 1s);
    BOOST_CHECK(m.state() == State::master);
}

BOOST_AUTO_TEST_CASE(shutdown_as_master_sends_priority_zero) {
    StateMachine m = started_master(params(100));
    auto a = m.shutdown(t0 + 5s);
    BOOST_CHECK(a == (Actions{SendAdvert{0}, Stop{}, StateChanged{State::master, State::init}}));
    BOOST_CHECK(!m.next_deadline());
    BOOST_CHECK(m.shutdown(t0 + 6s).empty());

    StateMachine b(params(100));
    b.start(t0);
    BOOST_CHECK(b.shutdown(t0 + 1s) == (Actions{Stop{}, StateChanged{State::backup, State::init}}));
}

BOOST_AUTO_TEST_CASE(v3_backup_adopts_master_interval_v2_does_not) {
    StateMachine m(params(100));
    m.start(t0);
    m.on_advert(t0 + 1s, advert(200, "10.0.0.9", 300));
    BOOST_CHECK_EQUAL(m.master_adver_interval_cs(), 300);
    BOOST_CHECK(m.next_deadline() == t0 + 1s + 9s + skew_time(Version::v3, 100, 300));
    m.on_advert(t0 + 2s, advert(200, "10.0.0.9", 0)); // zero is not adopted
    BOOST_CHECK_EQUAL(m.master_adver_interval_cs(), 300);

    StateMachine v2(params(100, "10.0.0.1", Version::v2));
    v2.start(t0);
    v2.on_advert(t0 + 1s, advert(200, "10.0.0.9", 300));
    BOOST_CHECK_EQUAL(v2.master_adver_interval_cs(), 100);
}

BOOST_AUTO_TEST_CASE(master_yielding_adopts_interval) {
    StateMachine m = started_master(params(100));
    m.on_advert(t0 + 5s, advert(200, "10.0.0.9", 50));
    BOOST_CHECK_EQUAL(m.master_adver_interval_cs(), 50);
    BOOST_CHECK(m.next_deadline() == t0 + 5s + 1500ms + skew_time(Version::v3, 100, 50));
}

BOOST_AUTO_TEST_CASE(fault_and_recovery) {
    StateMachine m = started_master(params(100));
    auto a = m.on_interface_down(t0 + 5s);
    BOOST_CHECK(a == (Actions{EnterFault{}, StateChanged{State::master, State::fault}}));
    BOOST_CHECK(!m.next_deadline());
    BOOST_CHECK(m.on_advert(t0 + 6s, advert(0)).empty());
    BOOST_CHECK(m.on_timer(t0 + 60s).empty());
    BOOST_CHECK(m.on_interface_down(t0 + 7s).empty());
    a = m.on_interface_up(t0 + 8s);
    BOOST_CHECK(a == (Actions{BecomeBackup{}, StateChanged{State::fault, State::backup}}));
    BOOST_CHECK(m.next_deadline() == t0 + 8s + master_down_interval(Version::v3, 100, 100));

    StateMachine owner(params(255));
    owner.start(t0);
    owner.on_interface_down(t0 + 1s);
    BOOST_CHECK(owner.state() == State::fault);
    BOOST_CHECK(has<BecomeMaster>(owner.on_interface_up(t0 + 2s)));
    BOOST_CHECK(owner.state() == State::master);

    StateMachine early(params(100));
    BOOST_CHECK(early.on_interface_down(t0).empty());
    BOOST_CHECK(early.start(t0) ==
                (Actions{EnterFault{}, StateChanged{State::init, State::fault}}));
    BOOST_CHECK(changed(early.on_interface_up(t0 + 1s), State::fault, State::backup));
}

BOOST_AUTO_TEST_CASE(rejects_bad_parameters) {
    BOOST_CHECK_THROW(StateMachine(params(0)), std::invalid_argument);
    auto p = params(100, "10.0.0.1", Version::v2);
    p.advert_interval_cs = 150;
    BOOST_CHECK_THROW(StateMachine{p}, std::invalid_argument);
    StateMachine m(params(100));
    BOOST_CHECK_THROW(m.set_priority(t0, 0), std::invalid_argument);
}

// Routers on one link: every SendAdvert reaches all others at once.
struct Lan {
    std::vector<StateMachine> nodes;
    std::vector<net::IpAddress> addrs;
    TimePoint now = t0;
    bool partitioned = false; // adverts are lost

    void add(InstanceParams p) {
        addrs.push_back(p.primary_address);
        nodes.emplace_back(std::move(p));
    }
    void deliver(std::size_t from, Actions actions) {
        std::deque<std::pair<std::size_t, Actions>> queue{{from, std::move(actions)}};
        while (!queue.empty()) {
            auto [sender, acts] = queue.front();
            queue.pop_front();
            for (const Action& a : acts) {
                auto* send = std::get_if<SendAdvert>(&a);
                if (!send || partitioned)
                    continue;
                for (std::size_t i = 0; i < nodes.size(); ++i)
                    if (i != sender)
                        queue.emplace_back(
                            i, nodes[i].on_advert(now, {send->priority, 100, addrs[sender]}));
            }
        }
    }
    void start() {
        for (std::size_t i = 0; i < nodes.size(); ++i)
            deliver(i, nodes[i].start(now));
    }
    void run_until(TimePoint end) {
        for (;;) {
            std::optional<TimePoint> next;
            for (auto& n : nodes)
                if (auto d = n.next_deadline(); d && (!next || *d < *next))
                    next = d;
            if (!next || *next > end)
                break;
            now = *next;
            for (std::size_t i = 0; i < nodes.size(); ++i)
                deliver(i, nodes[i].on_timer(now));
        }
        now = end;
    }
    State state(std::size_t i) const { return nodes[i].state(); }
};

BOOST_AUTO_TEST_CASE(tracked_weight_raises_backup_above_master) {
    Lan lan;
    lan.add(params(100, "10.0.0.1"));
    lan.add(params(90, "10.0.0.2"));
    lan.start();
    lan.run_until(t0 + 10s);
    BOOST_CHECK(lan.state(0) == State::master);
    BOOST_CHECK(lan.state(1) == State::backup);

    lan.deliver(1, lan.nodes[1].set_priority(lan.now, 110)); // a tracked script now succeeds
    lan.run_until(t0 + 20s);
    BOOST_CHECK(lan.state(0) == State::backup);
    BOOST_CHECK(lan.state(1) == State::master);
}

BOOST_AUTO_TEST_CASE(tracked_weight_lowers_master_below_backup) {
    Lan lan;
    lan.add(params(100, "10.0.0.1"));
    lan.add(params(90, "10.0.0.2"));
    lan.start();
    lan.run_until(t0 + 10s);
    BOOST_REQUIRE(lan.state(0) == State::master);

    auto a = lan.nodes[0].set_priority(lan.now, 80); // a tracked interface went down
    BOOST_CHECK(a == Actions{SendAdvert{80}});
    lan.deliver(0, a);
    lan.run_until(t0 + 20s);
    BOOST_CHECK(lan.state(0) == State::backup);
    BOOST_CHECK(lan.state(1) == State::master);
}

BOOST_AUTO_TEST_CASE(equal_priority_masters_elect_higher_address) {
    Lan lan;
    lan.add(params(100, "10.0.0.1"));
    lan.add(params(100, "10.0.0.2"));
    lan.partitioned = true;
    lan.start();
    lan.run_until(t0 + 10s);
    BOOST_REQUIRE(lan.state(0) == State::master);
    BOOST_REQUIRE(lan.state(1) == State::master);
    lan.partitioned = false; // the link heals: the next adverts settle it
    lan.run_until(t0 + 20s);
    BOOST_CHECK(lan.state(0) == State::backup);
    BOOST_CHECK(lan.state(1) == State::master);

    lan.deliver(1, lan.nodes[1].shutdown(lan.now));
    lan.run_until(lan.now + skew_time(Version::v3, 100, 100));
    BOOST_CHECK(lan.state(0) == State::master);
}

BOOST_AUTO_TEST_CASE(sync_group_member_follows_between_backup_and_master) {
    StateMachine sm(params(50));
    sm.start(t0);
    // A backup follows a member into MASTER at once, with an advert and the VIPs.
    auto a = sm.follow(t0 + 10ms, State::master);
    BOOST_CHECK(sm.state() == State::master);
    BOOST_CHECK(has<SendAdvert>(a) && has<BecomeMaster>(a));
    BOOST_CHECK(changed(a, State::backup, State::master));
    BOOST_CHECK(sm.follow(t0 + 20ms, State::master).empty()); // already there
    // ... and back to BACKUP, releasing the VIPs, with Master_Down running again.
    a = sm.follow(t0 + 30ms, State::backup);
    BOOST_CHECK(sm.state() == State::backup && has<BecomeBackup>(a));
    BOOST_CHECK(*sm.next_deadline() > t0 + 30ms);
    // FAULT is not left through follow(): only the link (or tracking) ends it.
    sm.on_interface_down(t0 + 40ms);
    BOOST_CHECK(sm.follow(t0 + 50ms, State::master).empty());
    BOOST_CHECK(sm.state() == State::fault);
}
