// VRRPv2 `authentication`: RFC 3768 dropped it, but keepalived still speaks PASS and AH, so a
// mixed pair must keep agreeing on it.
#pragma once

#include "conf/location.h"

#include <string>

namespace lvsd::director::config {

enum class AuthType { pass, ah };

struct Authentication {
    conf::Location where;
    AuthType type = AuthType::pass;
    std::string pass; // at most 8 characters: the packet field is 8 bytes
};

} // namespace lvsd::director::config
