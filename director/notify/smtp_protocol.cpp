#include "director/notify/smtp_protocol.h"

#include <cctype>

namespace lvsd::director::notify::smtp {

std::optional<Reply> take_reply(std::string& buffer) {
    Reply reply;
    size_t pos = 0;
    for (;;) {
        size_t eol = buffer.find('\n', pos);
        if (eol == std::string::npos)
            return std::nullopt;
        std::string line = buffer.substr(pos, eol - pos);
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        pos = eol + 1;
        bool ok = line.size() >= 3 && std::isdigit(static_cast<unsigned char>(line[0])) &&
                  std::isdigit(static_cast<unsigned char>(line[1])) &&
                  std::isdigit(static_cast<unsigned char>(line[2])) &&
                  (line.size() == 3 || line[3] == ' ' || line[3] == '-');
        if (!ok) {
            buffer.erase(0, pos);
            return Reply{0, line};
        }
        if (!reply.text.empty())
            reply.text += "\n";
        reply.text += line.size() > 4 ? line.substr(4) : "";
        reply.code = std::stoi(line.substr(0, 3));
        if (line.size() == 3 || line[3] == ' ') {
            buffer.erase(0, pos);
            return reply;
        }
    }
}

std::string dot_stuff(const std::string& message) {
    std::string out;
    out.reserve(message.size() + 16);
    bool line_start = true;
    for (size_t i = 0; i < message.size(); ++i) {
        char c = message[i];
        if (c == '\r')
            continue; // CRLF and LF alike become CRLF below; a lone CR is dropped
        if (line_start && c == '.')
            out += '.';
        if (c == '\n') {
            out += "\r\n";
            line_start = true;
        } else {
            out += c;
            line_start = false;
        }
    }
    if (!line_start)
        out += "\r\n";
    out += ".\r\n";
    return out;
}

std::string path(const std::string& address) {
    if (!address.empty() && address.front() == '<')
        return address;
    return "<" + address + ">";
}

} // namespace lvsd::director::notify::smtp
