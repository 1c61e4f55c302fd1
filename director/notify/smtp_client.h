// One SMTP session on the io_context: connect (within smtp_connect_timeout), EHLO (HELO if the
// server refuses EHLO), MAIL FROM, RCPT TO for each recipient, DATA, QUIT. Every wait for the
// server is bounded by the same timeout. Failures are logged and reported to the callback; nothing
// is thrown into the loop.
#pragma once

#include "director/notify/state_mail.h"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <string>

namespace lvsd::director::notify {

struct SmtpServer {
    std::string host; // an IP address or a name
    uint16_t port = 25;
    std::string helo_name; // empty: the host name
    std::chrono::steady_clock::duration timeout = std::chrono::seconds(30);
};

// `done("")` once the server accepted the message, else `done(reason)`; always called, later,
// from the io_context. The session keeps itself alive until then.
void send_mail(boost::asio::io_context& io, const SmtpServer& server, Mail mail,
               std::function<void(const std::string& error)> done);

} // namespace lvsd::director::notify
