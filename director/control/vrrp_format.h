// `lvsctl vrrp`: the VRRP instances as a table, one line each, from their stats JSON
// (vrrp::Instance::stats()). Pure.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace lvsd::director::control {

// Name             Interface  VRID State   Priority Master           Sent   Received Dropped
// VI_1             eth0         51 MASTER  100/100  10.0.0.2         1234   0        0
// Fields a stats object lacks print as "-".
std::string format_vrrp(const nlohmann::json& instances);

} // namespace lvsd::director::control
