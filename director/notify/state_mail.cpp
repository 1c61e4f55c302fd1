#include "director/notify/state_mail.h"

#include <cstdio>

namespace lvsd::director::notify {

std::string mail_subject(const std::string& router_id, const Event& event) {
    std::string scope = event.scope == Scope::instance ? "Instance" : "Group";
    return "[" + router_id + "] VRRP " + scope + " " + event.name + " - Entering " +
           std::string(word(event.state)) + " state";
}

std::string mail_body(const Event& event) {
    std::string scope = event.scope == Scope::instance ? "instance" : "sync group";
    std::string what;
    switch (event.state) {
    case NotifyState::master:
        what = "is now MASTER and holds its virtual addresses";
        break;
    case NotifyState::backup:
        what = "is now BACKUP and no longer holds its virtual addresses";
        break;
    case NotifyState::fault:
        what = "is in FAULT: a tracked interface or script is down";
        break;
    case NotifyState::stop:
        what = "was stopped";
        break;
    }
    return "VRRP " + scope + " " + event.name + " " + what +
           ".\nPriority: " + std::to_string(event.priority) + "\n";
}

std::string rfc5322_date(std::time_t t) {
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[64];
    // Names by hand: strftime's %a/%b follow the locale, RFC 5322 wants English.
    static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
                  tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    return buf;
}

std::string Mail::message(std::time_t now) const {
    std::string m;
    m += "Date: " + rfc5322_date(now) + "\r\n";
    m += "From: " + from + "\r\n";
    m += "To: ";
    for (size_t i = 0; i < to.size(); ++i)
        m += (i ? ", " : "") + to[i];
    m += "\r\n";
    m += "Subject: " + subject + "\r\n";
    m += "X-Mailer: lvs-director\r\n";
    m += "\r\n";
    for (char c : body) {
        if (c == '\n')
            m += "\r\n";
        else if (c != '\r')
            m += c;
    }
    return m;
}

Mail state_mail(const std::string& router_id, const std::string& from,
                const std::vector<std::string>& to, const Event& event) {
    return {from, to, mail_subject(router_id, event), mail_body(event)};
}

} // namespace lvsd::director::notify
