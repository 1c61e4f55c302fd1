// Runs the lvs-director binary as an operator would: exit codes and --dump-config output.
#define BOOST_TEST_MODULE director_cli
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

struct Run {
    int status;
    std::string out; // stdout; stderr goes to err
    std::string err;
};

Run run(const std::string& args) {
    std::string errfile = "/tmp/lvsd-cli-" + std::to_string(getpid()) + ".err";
    std::string cmd = std::string(LVS_DIRECTOR) + " " + args + " 2>" + errfile;
    Run r{};
    FILE* p = popen(cmd.c_str(), "r");
    BOOST_REQUIRE(p);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        r.out.append(buf, n);
    int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    std::ifstream e(errfile);
    r.err.assign(std::istreambuf_iterator<char>(e), {});
    std::filesystem::remove(errfile);
    return r;
}

const std::string master = std::string(LVSD_FIXTURES) + "/keepalived/classic-master.conf";

} // namespace

BOOST_AUTO_TEST_CASE(config_test_passes_with_the_nat_mask_note) {
    auto r = run("-t -f " + master);
    BOOST_CHECK_EQUAL(r.status, 0);
    BOOST_CHECK(
        r.err.find("classic-master.conf:34:5: note: 'nat_mask' is obsolete and ignored\n") !=
        std::string::npos);
    BOOST_CHECK(r.err.find("error") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(dump_config_values) {
    auto r = run("--dump-config -f " + master);
    BOOST_REQUIRE_EQUAL(r.status, 0);
    auto j = nlohmann::json::parse(r.out);
    const auto& vi = j["vrrp_instances"][0];
    BOOST_CHECK_EQUAL(vi["name"], "VI_1");
    BOOST_CHECK_EQUAL(vi["state"], "MASTER");
    BOOST_CHECK_EQUAL(vi["virtual_router_id"], 51);
    BOOST_CHECK_EQUAL(vi["priority"], 100);
    BOOST_CHECK_EQUAL(vi["advert_int"], 1.0);
    BOOST_CHECK_EQUAL(vi["authentication"]["auth_type"], "PASS");
    BOOST_CHECK_EQUAL(vi["virtual_ipaddress"][0]["address"], "192.168.0.100");
    const auto& vs = j["virtual_servers"][0];
    BOOST_CHECK_EQUAL(vs["address"], "192.168.0.100");
    BOOST_CHECK_EQUAL(vs["port"], 80);
    BOOST_CHECK_EQUAL(vs["lvs_sched"], "rr");
    BOOST_CHECK_EQUAL(vs["lvs_method"], "DR");
    BOOST_CHECK(vs["persistence_timeout"].is_null());
    BOOST_CHECK_EQUAL(vs["protocol"], "TCP");
    BOOST_CHECK_EQUAL(vs["real_servers"].size(), 2u);
    const auto& ck = vs["real_servers"][0]["checkers"][0];
    BOOST_CHECK_EQUAL(vs["real_servers"][0]["weight"], 3);
    BOOST_CHECK_EQUAL(ck["type"], "TCP_CHECK");
    BOOST_CHECK_EQUAL(ck["connect_timeout"], 10.0);
    BOOST_CHECK_EQUAL(ck["retry"], 3);
    BOOST_CHECK_EQUAL(ck["delay_before_retry"], 3.0);
    BOOST_CHECK_EQUAL(ck["connect_port"], 80);
}

BOOST_AUTO_TEST_CASE(exit_codes_follow_keepalived) {
    BOOST_CHECK_EQUAL(run("-t -f /nonexistent/keepalived.conf").status, 3);
    BOOST_CHECK_EQUAL(run("-t -f /tmp").status, 3);
    auto dir = std::filesystem::temp_directory_path() / ("lvsd-cli-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "bad.conf") << "vrrp_instance X {\n virtual_router_id 300\n}\n";
    auto bad = run("-t -f " + (dir / "bad.conf").string());
    BOOST_CHECK_EQUAL(bad.status, 4);
    BOOST_CHECK(bad.err.find("bad.conf:2:20: error: '300' is out of range [1, 255]") !=
                std::string::npos);
    std::ofstream(dir / "brace.conf") << "global_defs {\n";
    BOOST_CHECK_EQUAL(run("-t -f " + (dir / "brace.conf").string()).status, 4);
    // Flags keepalived takes are accepted (the daemon itself is tested on the namespace lab).
    BOOST_CHECK_EQUAL(run("-t -n -l -D -p /tmp/x.pid -f " + master).status, 0);
    BOOST_CHECK_EQUAL(run("--no-such-flag").status, 3);
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(config_id_selects_lines) {
    auto dir = std::filesystem::temp_directory_path() / ("lvsd-id-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "c.conf") << "vrrp_instance X {\n interface lo\n virtual_router_id 5\n"
                                     "@lb1 priority 150\n@^lb1 priority 50\n}\n";
    auto one =
        nlohmann::json::parse(run("--dump-config -i lb1 -f " + (dir / "c.conf").string()).out);
    auto two = nlohmann::json::parse(run("--dump-config -f " + (dir / "c.conf").string()).out);
    BOOST_CHECK_EQUAL(one["vrrp_instances"][0]["priority"], 150);
    BOOST_CHECK_EQUAL(two["vrrp_instances"][0]["priority"], 50);
    std::filesystem::remove_all(dir);
}
