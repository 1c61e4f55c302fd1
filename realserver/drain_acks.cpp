#include "drain_acks.h"

#include <algorithm>

namespace lvsd::realserver {

DrainAcks::DrainAcks(std::vector<std::string> directors, std::string host, uint64_t drain_seq,
                     int64_t drain_time_ms)
    : directors_(std::move(directors)), host_(std::move(host)), seq_(drain_seq),
      time_ms_(drain_time_ms) {
    std::sort(directors_.begin(), directors_.end());
    directors_.erase(std::unique(directors_.begin(), directors_.end()), directors_.end());
}

DrainAcks::Verdict DrainAcks::take(const std::string& from, const agent::Ack& a) {
    if (!std::binary_search(directors_.begin(), directors_.end(), from))
        return Verdict::not_a_director;
    if (a.host != host_)
        return Verdict::other_host;
    if (a.seq < seq_ || a.report_time_ms < time_ms_)
        return Verdict::earlier_report;
    return acked_.insert(from).second ? Verdict::counted : Verdict::repeated;
}

std::vector<std::string> DrainAcks::missing() const {
    std::vector<std::string> out;
    for (const auto& d : directors_)
        if (!acked_.count(d))
            out.push_back(d);
    return out;
}

} // namespace lvsd::realserver
