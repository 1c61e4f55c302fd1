// Which directors have acknowledged this host's drain (shared/agent/ack.h). Pure: the daemon hands
// in each authentic ack with the address it came from. An ack counts when it comes from one of
// the report_to directors, names this host, and answers the drain report or a later one of this
// run (its seq at least the drain report's, its echoed clock not older: an ack from an earlier
// run, whose sequence numbers started over, carries an older clock).
#pragma once

#include "agent/ack.h"

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace lvsd::realserver {

class DrainAcks {
public:
    // `directors`: report_to as address strings (IPv4 dotted, IPv6 canonical).
    DrainAcks(std::vector<std::string> directors, std::string host, uint64_t drain_seq,
              int64_t drain_time_ms);

    enum class Verdict { counted, repeated, not_a_director, other_host, earlier_report };
    Verdict take(const std::string& from, const agent::Ack& a);

    bool all() const { return acked_.size() == directors_.size(); }
    std::vector<std::string> missing() const;

private:
    std::vector<std::string> directors_;
    std::string host_;
    uint64_t seq_;
    int64_t time_ms_;
    std::set<std::string> acked_;
};

} // namespace lvsd::realserver
