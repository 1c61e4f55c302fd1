// One health checker of a real server; the kind-specific part is a variant.
#pragma once

#include "director/config/agent_check.h"
#include "director/config/checker_common.h"
#include "director/config/dns_check.h"
#include "director/config/file_check.h"
#include "director/config/http_check.h"
#include "director/config/misc_check.h"
#include "director/config/smtp_check.h"
#include "director/config/udp_check.h"

#include <string_view>
#include <variant>

namespace lvsd::director::config {

struct TcpCheck {}; // connecting is the whole check
struct PingCheck {};

enum class CheckerKind { tcp, http, ssl, misc, smtp, dns, udp, ping, file, agent };

struct Checker {
    CheckerKind kind = CheckerKind::tcp;
    CheckerCommon common;
    std::variant<TcpCheck, HttpCheck, MiscCheck, SmtpCheck, DnsCheck, UdpCheck, PingCheck,
                 FileCheck, AgentCheck>
        detail;
};

// The keyword as written in the config: TCP_CHECK, HTTP_GET, ...
std::string_view checker_keyword(CheckerKind k);

} // namespace lvsd::director::config
