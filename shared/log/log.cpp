#include "log/log.h"

#include <cstdio>
#include <mutex>
#include <syslog.h>

namespace lvsd::log {

static std::string program = "lvsd";
static std::mutex mu;
static bool to_syslog = false;

void set_program(const std::string& name) {
    program = name;
}

void use_syslog(bool on) {
    std::lock_guard<std::mutex> g(mu);
    if (on && !to_syslog)
        openlog(program.c_str(), LOG_PID, LOG_DAEMON);
    to_syslog = on;
}

static void emit(const char* level, const std::string& m) {
    std::lock_guard<std::mutex> g(mu);
    if (to_syslog) {
        int prio = level[0] == 'e' ? LOG_ERR : level[0] == 'w' ? LOG_WARNING : LOG_INFO;
        syslog(prio, "%s%s", level, m.c_str());
        return;
    }
    std::fprintf(stderr, "%s: %s%s\n", program.c_str(), level, m.c_str());
    std::fflush(stderr);
}

void info(const std::string& m) {
    emit("", m);
}
void warning(const std::string& m) {
    emit("warning: ", m);
}
void error(const std::string& m) {
    emit("error: ", m);
}

} // namespace lvsd::log
