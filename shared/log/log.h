// One line per event on stderr, prefixed with the program name; systemd's journal picks it up.
#pragma once

#include <string>

namespace lvsd::log {

void set_program(const std::string& name);
// A daemon that has left its terminal logs to syslog (daemon facility) instead of stderr.
void use_syslog(bool on);
void info(const std::string& message);
void warning(const std::string& message);
void error(const std::string& message);

} // namespace lvsd::log
