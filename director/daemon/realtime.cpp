#include "director/daemon/realtime.h"

#include <cerrno>
#include <cstring>
#include <sched.h>
#include <sys/mman.h>

namespace lvsd::director {

std::string use_realtime(int rt_priority, bool lock_memory) {
    std::string failed;
    if (rt_priority > 0) {
        sched_param p{};
        p.sched_priority = rt_priority;
        // SCHED_RESET_ON_FORK: notify and check scripts must not inherit it.
        if (sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &p) != 0)
            failed += std::string("cannot use real-time priority ") + std::to_string(rt_priority) +
                      ": " + std::strerror(errno);
    }
    if (lock_memory && mlockall(MCL_CURRENT | MCL_FUTURE) != 0) {
        if (!failed.empty())
            failed += "; ";
        failed += std::string("cannot lock memory: ") + std::strerror(errno);
    }
    return failed;
}

} // namespace lvsd::director
