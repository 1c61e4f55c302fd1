// The text side of SMTP (RFC 5321), apart from the sockets: reading replies and preparing DATA.
#pragma once

#include <optional>
#include <string>

namespace lvsd::director::notify::smtp {

struct Reply {
    int code = 0;     // 0: malformed
    std::string text; // the lines' text after the code, joined by "\n"
};

// Takes one complete reply ("250-a\r\n250 b\r\n") off the front of `buffer`, or nullopt while the
// last line has not arrived yet.
std::optional<Reply> take_reply(std::string& buffer);

// The message body for DATA: lines starting with '.' get a second '.', line ends become CRLF, and
// the final "\r\n.\r\n" is appended.
std::string dot_stuff(const std::string& message);

// An address for MAIL FROM / RCPT TO: "<a@b>"; an address written with its brackets is kept.
std::string path(const std::string& address);

} // namespace lvsd::director::notify::smtp
