// The e-mail sent on a VRRP state change when smtp_alert is on: keepalived's subject line
// ("[router_id] VRRP Instance NAME - Entering MASTER state"), a short body, and the headers a mail
// server and a reader expect (Date, From, To, Subject).
#pragma once

#include "director/notify/notify_event.h"

#include <ctime>
#include <string>
#include <vector>

namespace lvsd::director::notify {

struct Mail {
    std::string from;            // envelope and header sender
    std::vector<std::string> to; // envelope and header recipients
    std::string subject;
    std::string body; // lines separated by "\n"; the SMTP layer turns them into CRLF

    // The message as sent in DATA: headers, an empty line, the body; CRLF line ends.
    std::string message(std::time_t now) const;
};

std::string mail_subject(const std::string& router_id, const Event& event);
std::string mail_body(const Event& event);

// RFC 5322 date in UTC: "Wed, 25 Nov 2026 20:21:56 +0000".
std::string rfc5322_date(std::time_t t);

// router_id and notification_email_from default to the host name, as in keepalived.
Mail state_mail(const std::string& router_id, const std::string& from,
                const std::vector<std::string>& to, const Event& event);

} // namespace lvsd::director::notify
