#include "log/log.h"

#include <cstdio>
#include <mutex>

namespace lvsd::log {

static std::string program = "lvsd";
static std::mutex mu;

void set_program(const std::string& name) {
    program = name;
}

static void emit(const char* level, const std::string& m) {
    std::lock_guard<std::mutex> g(mu);
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
