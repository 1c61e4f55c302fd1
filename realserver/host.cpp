#include "host.h"

#include "net/route_socket.h"
#include "sys/sysctl.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace lvsd::realserver {

namespace fs = std::filesystem;

bool HostStatus::all_applied() const {
    for (const auto& a : addresses)
        if (!a.present)
            return false;
    for (const auto& s : sysctls)
        if (s.actual != s.want)
            return false;
    return true;
}

static std::string describe(const AddressPlan& a) {
    return a.address.str_prefixed() + " on " + a.device +
           (a.label.empty() ? "" : " (" + a.label + ")");
}

// When `all.rp_filter` is stricter than 0, tunl0's own 0 has no effect. Relax `all`, first raising
// every other interface to the value it had in effect, so that only tunl0 changes behaviour.
static std::vector<SysctlSetting> rp_filter_relaxation() {
    auto all = sys::sysctl_read("net.ipv4.conf.all.rp_filter");
    if (!all || *all == "0")
        return {};
    std::vector<SysctlSetting> out;
    for (const auto& e : fs::directory_iterator("/proc/sys/net/ipv4/conf")) {
        std::string dev = e.path().filename();
        if (dev == "all" || dev == "default" || dev == tun_device)
            continue;
        std::string key = "net.ipv4.conf." + sys::sysctl_name_part(dev) + ".rp_filter";
        auto own = sys::sysctl_read(key);
        if (own && std::stoi(*own) < std::stoi(*all))
            out.push_back({key, *all});
    }
    out.push_back({"net.ipv4.conf.all.rp_filter", "0"});
    return out;
}

std::vector<std::string> Host::apply(const HostPlan& plan, const std::string& config_source) {
    StateLock lock(state_path_);
    auto loaded = load_state(state_path_);
    const bool fresh = !loaded;
    State st = loaded.value_or(State{});
    if (fresh) {
        st.config = config_source;
        st.started_at = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    }
    const State before = st;

    net::RouteSocket rt;
    std::vector<std::string> log;
    std::vector<std::pair<std::string, std::string>> written; // key, value before this call
    std::vector<AddressPlan> added;
    std::vector<AddressPlan> removed;
    std::vector<std::string> raised;

    auto set_sysctl = [&](const SysctlSetting& s) {
        auto cur = sys::sysctl_read(s.key);
        if (!cur)
            throw std::runtime_error("sysctl " + s.key + " does not exist");
        if (!st.sysctl(s.key)) {
            st.sysctls.push_back({s.key, *cur, s.value});
            save_state(state_path_, st);
        }
        if (*cur != s.value) {
            written.emplace_back(s.key, *cur);
            sys::sysctl_write(s.key, s.value);
            log.push_back("set " + s.key + "=" + s.value + " (was " + *cur + ")");
        }
    };

    try {
        if (plan.needs_tunl0 && rt.ifindex(tun_device) == 0)
            throw std::runtime_error("TUN mode needs the ipip module: there is no tunl0 "
                                     "(load it with 'modprobe ipip')");
        for (const auto& s : plan.sysctls)
            set_sysctl(s);
        if (plan.needs_tunl0)
            for (const auto& s : rp_filter_relaxation())
                set_sysctl(s);

        const auto present = rt.addresses(); // plan addresses are unique: no refresh needed
        for (const auto& a : plan.addresses) {
            int idx = rt.ifindex(a.device);
            if (idx == 0)
                throw std::runtime_error("no interface " + a.device + " for " + a.address.str());
            if (!rt.is_up(idx)) {
                // Recorded first: a stop (or this call's rollback) brings it down again.
                if (std::find(st.raised.begin(), st.raised.end(), a.device) == st.raised.end()) {
                    st.raised.push_back(a.device);
                    save_state(state_path_, st);
                }
                rt.set_up(idx);
                raised.push_back(a.device);
                log.push_back("brought " + a.device + " up");
            }
            if (net::contains(present, idx, a.address))
                continue; // ours from an earlier start, or the host's own: leave it
            if (!st.has_address(a.address, a.device)) {
                st.addresses.push_back(a);
                save_state(state_path_, st);
            }
            rt.add_address(idx, a.address, a.label);
            added.push_back(a);
            log.push_back("added " + describe(a));
        }

        // Addresses an earlier config had and this one does not (or has on another device).
        for (auto it = st.addresses.begin(); it != st.addresses.end();) {
            bool wanted = false;
            for (const auto& a : plan.addresses)
                wanted = wanted || (a.address == it->address && a.device == it->device);
            if (wanted) {
                ++it;
                continue;
            }
            if (int idx = rt.ifindex(it->device))
                rt.remove_address(idx, it->address);
            log.push_back("removed " + describe(*it) + " (no longer configured)");
            removed.push_back(*it);
            it = st.addresses.erase(it);
            save_state(state_path_, st);
        }
    } catch (...) {
        // Roll back this call only: what an earlier start did stays as it was.
        for (auto it = added.rbegin(); it != added.rend(); ++it)
            if (int idx = rt.ifindex(it->device))
                try {
                    rt.remove_address(idx, it->address);
                } catch (const std::exception&) {
                }
        for (const auto& a : removed)
            if (int idx = rt.ifindex(a.device))
                try {
                    rt.add_address(idx, a.address, a.label);
                } catch (const std::exception&) {
                }
        for (const auto& d : raised)
            if (int idx = rt.ifindex(d))
                try {
                    rt.set_up(idx, false);
                } catch (const std::exception&) {
                }
        for (auto it = written.rbegin(); it != written.rend(); ++it)
            try {
                sys::sysctl_write(it->first, it->second);
            } catch (const std::exception&) {
            }
        if (fresh)
            remove_state(state_path_);
        else
            save_state(state_path_, before);
        throw;
    }
    return log;
}

bool Host::undo(std::vector<std::string>& log) {
    StateLock lock(state_path_);
    auto loaded = load_state(state_path_);
    if (!loaded)
        return false;
    State st = *loaded;
    net::RouteSocket rt;
    std::vector<std::string> failures;

    for (auto it = st.addresses.begin(); it != st.addresses.end();) {
        try {
            if (int idx = rt.ifindex(it->device))
                rt.remove_address(idx, it->address);
            log.push_back("removed " + describe(*it));
            it = st.addresses.erase(it);
        } catch (const std::exception& e) {
            failures.push_back(e.what());
            ++it;
        }
    }
    // Down again what we brought up, once our addresses are off it.
    while (!st.raised.empty()) {
        const auto d = st.raised.back();
        try {
            if (int idx = rt.ifindex(d)) {
                rt.set_up(idx, false);
                log.push_back("brought " + d + " down (it was down before start)");
            }
            st.raised.pop_back();
        } catch (const std::exception& e) {
            failures.push_back(e.what());
            break;
        }
    }
    // Reverse order, so a key changed twice ends at its first original.
    while (!st.sysctls.empty()) {
        const auto s = st.sysctls.back();
        try {
            if (sys::sysctl_read(s.key)) {
                sys::sysctl_write(s.key, s.original);
                log.push_back("restored " + s.key + "=" + s.original);
            }
            st.sysctls.pop_back();
        } catch (const std::exception& e) {
            failures.push_back(e.what());
            break;
        }
    }
    if (!failures.empty()) {
        save_state(state_path_, st); // keep what could not be undone for the next stop
        std::string msg = "could not undo everything:";
        for (const auto& f : failures)
            msg += " " + f + ";";
        throw std::runtime_error(msg);
    }
    remove_state(state_path_);
    return true;
}

HostStatus Host::inspect(const HostPlan& plan) {
    HostStatus hs;
    if (auto st = load_state(state_path_)) {
        hs.started = true;
        hs.state = *st;
    }
    net::RouteSocket rt;
    const auto present = rt.addresses();
    for (const auto& a : plan.addresses) {
        int idx = rt.ifindex(a.device);
        hs.addresses.push_back({a, idx != 0 && net::contains(present, idx, a.address)});
    }
    for (const auto& s : plan.sysctls) {
        const SavedSysctl* saved = hs.state.sysctl(s.key);
        hs.sysctls.push_back(
            {s.key, s.value, sys::sysctl_read(s.key).value_or(""), saved ? saved->original : ""});
    }
    return hs;
}

} // namespace lvsd::realserver
