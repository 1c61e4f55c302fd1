#define BOOST_TEST_MODULE link_monitor
#include <boost/test/unit_test.hpp>

#include "net/link_monitor.h"

#include <map>
#include <net/if.h>

using lvsd::net::LinkMonitor;

// The resync after an overrun reads the kernel's links: loopback is up and running everywhere.
BOOST_AUTO_TEST_CASE(resync_reports_every_link) {
    LinkMonitor monitor;
    std::map<int, bool> seen;
    monitor.resync([&](int ifindex, bool running) { seen[ifindex] = running; });
    int lo = static_cast<int>(if_nametoindex("lo"));
    BOOST_TEST_REQUIRE(lo > 0);
    BOOST_TEST(seen.count(lo) == 1);
    BOOST_TEST(seen[lo]);
    // Nothing changed: a second resync reports the same and nothing as gone.
    std::map<int, bool> again;
    monitor.resync([&](int ifindex, bool running) { again[ifindex] = running; });
    BOOST_TEST((again == seen));
}

BOOST_AUTO_TEST_CASE(drain_without_events_reports_nothing) {
    LinkMonitor monitor;
    int calls = 0;
    monitor.drain([&](int, bool) { ++calls; });
    BOOST_TEST(calls == 0);
}
