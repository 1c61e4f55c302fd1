#define BOOST_TEST_MODULE conf
#include <boost/test/unit_test.hpp>

#include "conf/reader.h"
#include "conf/statement.h"

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace lvsd::conf;
namespace fs = std::filesystem;

static std::vector<Statement> parse(const std::string& text, Diagnostics& d,
                                    const std::string& id = "") {
    Reader r(d);
    r.set_config_id(id);
    return build_statements(r.read_string(text, "t.conf"));
}

static std::vector<Statement> parse(const std::string& text) {
    Diagnostics d;
    return parse(text, d);
}

BOOST_AUTO_TEST_CASE(blocks_and_trailing_comments) {
    auto s = parse("vrrp_instance VI_1 { # after brace\n"
                   "  state MASTER   # trailing\n"
                   "  priority 100 ! bang comment\n"
                   "  virtual_ipaddress {\n"
                   "    10.0.0.1/32 dev eth0 label eth0:1\n"
                   "  }\n"
                   "}\n");
    BOOST_REQUIRE_EQUAL(s.size(), 1u);
    BOOST_CHECK_EQUAL(s[0].keyword(), "vrrp_instance");
    BOOST_CHECK_EQUAL(s[0].arg(0).text, "VI_1");
    BOOST_REQUIRE(s[0].has_block);
    BOOST_REQUIRE_EQUAL(s[0].block.size(), 3u);
    BOOST_CHECK_EQUAL(s[0].block[0].arg_count(), 1u);
    BOOST_CHECK_EQUAL(s[0].block[1].arg(0).text, "100");
    BOOST_CHECK_EQUAL(s[0].block[2].block[0].words.size(), 5u);
    BOOST_CHECK_EQUAL(s[0].block[2].block[0].where().str(), "t.conf:5:5");
}

BOOST_AUTO_TEST_CASE(brace_on_next_line_and_one_line_blocks) {
    auto s = parse("global_defs\n{\n router_id a\n}\nvirtual_ipaddress { 10.0.0.1 10.0.0.2 }\n");
    BOOST_REQUIRE_EQUAL(s.size(), 2u);
    BOOST_CHECK_EQUAL(s[0].block.at(0).arg(0).text, "a");
    BOOST_CHECK_EQUAL(s[1].block.at(0).keyword(), "10.0.0.1");
}

BOOST_AUTO_TEST_CASE(quotes_keep_spaces_and_comment_chars) {
    auto s = parse("notify \"/bin/echo a # b\" x\nauth_pass ab!cd\n");
    BOOST_CHECK_EQUAL(s[0].arg(0).text, "/bin/echo a # b");
    BOOST_CHECK(s[0].arg(0).quoted);
    BOOST_CHECK_EQUAL(s[0].arg(1).text, "x");
    BOOST_CHECK_EQUAL(s[1].arg(0).text, "ab!cd");
}

BOOST_AUTO_TEST_CASE(errors_name_their_place) {
    auto msg = [](const std::string& text) {
        try {
            parse(text);
        } catch (const ConfigError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    BOOST_CHECK_EQUAL(msg("a {\n b 1\n"), "t.conf:1:3: error: block of 'a' is never closed");
    BOOST_CHECK_EQUAL(msg("a 1\n}\n"), "t.conf:2:1: error: '}' without a matching '{'");
    BOOST_CHECK_EQUAL(msg("a \"open\n"), "t.conf:1:3: error: missing closing '\"'");
}

BOOST_AUTO_TEST_CASE(variables_conditionals_and_seq) {
    Diagnostics d;
    auto s = parse("$VIP=10.0.0.9\n$PRIO = 150\n"
                   "@lb1 priority ${PRIO}\n@^lb1 priority 50\n"
                   "addr $VIP\n"
                   "~SEQ(i, 1, 3) rs 10.0.0.$i 80\n"
                   "x $UNDEFINED\n",
                   d, "lb1");
    BOOST_REQUIRE_EQUAL(s.size(), 6u);
    BOOST_CHECK_EQUAL(s[0].arg(0).text, "150");
    BOOST_CHECK_EQUAL(s[1].arg(0).text, "10.0.0.9");
    BOOST_CHECK_EQUAL(s[2].arg(0).text, "10.0.0.1");
    BOOST_CHECK_EQUAL(s[4].arg(0).text, "10.0.0.3");
    BOOST_CHECK_EQUAL(s[5].arg(0).text, "$UNDEFINED");
    BOOST_CHECK_EQUAL(d.count(Severity::warning), 1u);
}

BOOST_AUTO_TEST_CASE(include_with_glob_relative_to_including_file) {
    fs::path dir = fs::temp_directory_path() / ("lvsd-conf-" + std::to_string(getpid()));
    fs::create_directories(dir / "conf.d");
    std::ofstream(dir / "main.conf") << "top 1\ninclude conf.d/*.conf\nlast 1\n";
    std::ofstream(dir / "conf.d" / "a.conf") << "a 1\n";
    std::ofstream(dir / "conf.d" / "b.conf") << "b {\n c 2\n}\n";
    Diagnostics d;
    Reader r(d);
    auto s = build_statements(r.read_file(dir / "main.conf"));
    BOOST_REQUIRE_EQUAL(s.size(), 4u);
    BOOST_CHECK_EQUAL(s[1].keyword(), "a");
    BOOST_CHECK_EQUAL(s[2].block[0].where().str(), (dir / "conf.d" / "b.conf").string() + ":2:2");
    BOOST_CHECK_EQUAL(r.files().size(), 3u);
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(include_cycle_is_an_error) {
    fs::path dir = fs::temp_directory_path() / ("lvsd-cycle-" + std::to_string(getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "a.conf") << "include a.conf\n";
    Diagnostics d;
    Reader r(d);
    BOOST_CHECK_THROW(r.read_file(dir / "a.conf"), ConfigError);
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(seq_limits_hold_for_nested_and_extreme_bounds) {
    auto msg = [](const std::string& text) {
        try {
            Diagnostics d;
            Reader r(d);
            r.set_expansion_limit(1000);
            r.read_string(text, "t.conf");
        } catch (const ConfigError& e) {
            return e.diagnostic().message;
        }
        return std::string("no error");
    };
    BOOST_CHECK_EQUAL(msg("~SEQ(i, 1, 100) ~SEQ(j, 1, 100) x $i $j\n"),
                      "~SEQ expands to more than 1000 lines in total");
    BOOST_CHECK_EQUAL(msg("~SEQ(i, -9223372036854775807, 9223372036854775807) x\n"),
                      "~SEQ step must be non-zero and the sequence under a million lines");
    BOOST_CHECK_EQUAL(msg("~SEQ(i, 9223372036854775806, 5, 9223372036854775807) x $i\n"),
                      "no error");
    BOOST_CHECK_EQUAL(msg("~SEQ(i, 3, -1, 1) x $i\n"), "no error");
}

BOOST_AUTO_TEST_CASE(substitution_cannot_grow_without_bound) {
    std::string text = "$A=0123456789abcdef\n";
    for (char c = 'B'; c <= 'Z'; ++c)
        text += std::string("$") + c + "=$" + char(c - 1) + "$" + char(c - 1) + "$" + char(c - 1) +
                "$" + char(c - 1) + "\n";
    Diagnostics d;
    Reader r(d);
    BOOST_CHECK_THROW(r.read_string(text, "t.conf"), ConfigError);
}

BOOST_AUTO_TEST_CASE(streaming_read_matches_the_token_vector) {
    fs::path dir = fs::temp_directory_path() / ("lvsd-stream-" + std::to_string(getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "main.conf") << "a {\n include part.conf\n ~SEQ(i, 1, 3) rs $i\n}\nz 1\n";
    std::ofstream(dir / "part.conf") << "b \"x y\"\n";
    Diagnostics d1, d2;
    Reader r1(d1), r2(d2);
    auto whole = build_statements(r1.read_file(dir / "main.conf"));
    StatementBuilder b;
    r2.read_file(dir / "main.conf", b);
    auto streamed = b.finish();
    BOOST_REQUIRE_EQUAL(streamed.size(), whole.size());
    BOOST_REQUIRE_EQUAL(streamed[0].block.size(), 4u);
    for (size_t i = 0; i < 4; ++i) {
        BOOST_CHECK_EQUAL(streamed[0].block[i].words.back().text,
                          whole[0].block[i].words.back().text);
        BOOST_CHECK_EQUAL(streamed[0].block[i].where().str(), whole[0].block[i].where().str());
    }
    BOOST_CHECK_EQUAL(streamed[0].block[0].arg(0).text, "x y");
    BOOST_CHECK_EQUAL(streamed[1].keyword(), "z");
    fs::remove_all(dir);
}
