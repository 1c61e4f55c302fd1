// Readiness reports: the authenticated codec, the replay guard and the key file.
#define BOOST_TEST_MODULE agent_report
#include <boost/test/unit_test.hpp>

#include "agent/ack.h"
#include "agent/key_file.h"
#include "agent/replay_guard.h"
#include "agent/report.h"
#include "agent/signed_datagram.h"

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace lvsd::agent;

namespace {
const std::vector<uint8_t> key(32, 0x42);
const std::vector<uint8_t> other_key(32, 0x43);
const Report report{"rs1", 7, 1'800'000'000'000, "drain", "10.0.0.11"};
} // namespace

BOOST_AUTO_TEST_CASE(round_trip) {
    auto d = encode_report(report, key);
    auto r = decode_report(d, key);
    BOOST_REQUIRE(std::holds_alternative<Report>(r));
    BOOST_CHECK(std::get<Report>(r) == report);
}

BOOST_AUTO_TEST_CASE(forged_and_garbled_reports_are_refused) {
    auto d = encode_report(report, key);
    BOOST_CHECK(std::get<ReportError>(decode_report(d, other_key)) == ReportError::bad_mac);
    auto tampered = d;
    tampered.replace(tampered.find("drain"), 5, "up\",\"");
    BOOST_CHECK(std::get<ReportError>(decode_report(tampered, key)) == ReportError::bad_mac);
    BOOST_CHECK(std::get<ReportError>(decode_report("", key)) == ReportError::malformed);
    BOOST_CHECK(std::get<ReportError>(decode_report("{}\nzz", key)) == ReportError::malformed);
    BOOST_CHECK(std::get<ReportError>(decode_report(d.substr(0, d.size() - 1), key)) ==
                ReportError::malformed);
}

BOOST_AUTO_TEST_CASE(a_report_without_its_source_address_is_malformed) {
    // Signed, but without the address it is sent from the director cannot tell a replay from
    // another address: an agent of before that field is refused, as one, or as malformed.
    std::string old = R"({"v":1,"host":"rs1","seq":7,"time_ms":1800000000000,"state":"up"})";
    BOOST_CHECK(std::get<ReportError>(decode_report(seal(old, key), key)) ==
                ReportError::old_format);
    std::string no_addr = R"({"v":2,"host":"rs1","seq":7,"time_ms":1800000000000,"state":"up"})";
    BOOST_CHECK(std::get<ReportError>(decode_report(seal(no_addr, key), key)) ==
                ReportError::malformed);
    Report ipv6 = report;
    ipv6.addr = "2001:db8::11";
    BOOST_CHECK(std::get<Report>(decode_report(encode_report(ipv6, key), key)) == ipv6);
}

BOOST_AUTO_TEST_CASE(another_payload_under_a_genuine_mac_is_refused) {
    // The MAC covers the exact payload bytes: the shape check is reached only when signed.
    auto good = encode_report(report, key);
    for (std::string payload : {"[1,2]", "{\"v\":1}", "not json"})
        BOOST_CHECK(std::get<ReportError>(decode_report(payload + good.substr(good.rfind('\n')),
                                                        key)) == ReportError::bad_mac);
}

BOOST_AUTO_TEST_CASE(replay_guard) {
    ReplayGuard g(std::chrono::seconds(30));
    const int64_t now = report.time_ms;
    BOOST_CHECK(g.check(report, now) == Verdict::fresh);
    BOOST_CHECK(g.check(report, now) == Verdict::replayed); // the same datagram again
    Report older = report;
    older.seq = 6;
    BOOST_CHECK(g.check(older, now) == Verdict::replayed);
    Report next = report;
    next.seq = 8;
    next.time_ms += 100;
    BOOST_CHECK(g.check(next, now) == Verdict::fresh);
    // Outside the clock window either way.
    Report stale = report;
    stale.host = "rs2";
    stale.time_ms = now - 31'000;
    BOOST_CHECK(g.check(stale, now) == Verdict::out_of_window);
    stale.time_ms = now + 31'000;
    BOOST_CHECK(g.check(stale, now) == Verdict::out_of_window);
    // A restarted sender counts from 1 again, with a later clock.
    Report restarted = report;
    restarted.seq = 1;
    restarted.time_ms = next.time_ms + 1000;
    BOOST_CHECK(g.check(restarted, now) == Verdict::fresh);
}

BOOST_AUTO_TEST_CASE(key_file_errors_are_clear) {
    auto dir = std::filesystem::temp_directory_path() / ("lvsd-key-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    try {
        load_key(dir / "missing");
        BOOST_FAIL("no throw");
    } catch (const std::runtime_error& e) {
        BOOST_CHECK(std::string(e.what()).find("missing: cannot read the agent key") !=
                    std::string::npos);
    }
    std::ofstream(dir / "short") << "secret\n";
    try {
        load_key(dir / "short");
        BOOST_FAIL("no throw");
    } catch (const std::runtime_error& e) {
        BOOST_CHECK(std::string(e.what()).find("6 bytes; it needs at least 16") !=
                    std::string::npos);
    }
    std::ofstream(dir / "good") << "0123456789abcdef0123\n";
    BOOST_CHECK_EQUAL(load_key(dir / "good").size(), 20u);
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(ack_round_trip_and_refusals) {
    std::vector<uint8_t> key(32, 7), other(32, 8);
    Ack a{"d1", "rs1", 42, 1700000000123, "drain"};
    auto d = encode_ack(a, key);
    auto back = decode_ack(d, key);
    BOOST_REQUIRE(std::holds_alternative<Ack>(back));
    BOOST_TEST((std::get<Ack>(back) == a));
    // Forged: another key.
    BOOST_TEST((std::get<AckError>(decode_ack(d, other)) == AckError::bad_mac));
    // Tampered: the payload changed under the old MAC.
    auto tampered = d;
    tampered.replace(tampered.find("\"seq\":42"), 9, "\"seq\":43");
    BOOST_TEST((std::get<AckError>(decode_ack(tampered, key)) == AckError::bad_mac));
    BOOST_TEST((std::get<AckError>(decode_ack("garbage", key)) == AckError::malformed));
    BOOST_TEST((std::get<AckError>(decode_ack("{}\nzz", key)) == AckError::malformed));
    // Genuine datagrams of the other kind never pass: a report is no ack, an ack no report.
    Report r{"rs1", 42, 1700000000123, "drain", "10.0.0.11"};
    BOOST_TEST((std::get<AckError>(decode_ack(encode_report(r, key), key)) == AckError::bad_mac));
    BOOST_TEST(
        (std::get<ReportError>(decode_report(encode_ack(a, key), key)) == ReportError::bad_mac));
}
