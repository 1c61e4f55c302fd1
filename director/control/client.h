// The client side of the control socket, for lvsctl and tests: one request, one reply, blocking.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace lvsd::director::control {

// The daemon could not be reached (not running, no socket, no permission) or did not answer.
struct Unreachable : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Sends `request` as one line and returns the reply line parsed. Throws Unreachable with a message
// fit for the operator ("cannot reach lvs-director at PATH: ...").
nlohmann::json request(const std::filesystem::path& socket, const nlohmann::json& request,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

} // namespace lvsd::director::control
