#define BOOST_TEST_MODULE pidfile
#include <boost/test/unit_test.hpp>

#include "sys/pidfile.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace fs = std::filesystem;
using lvsd::sys::PidFile;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/lvsd-pidfile-test.XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::string read_all(const fs::path& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), {}};
}

} // namespace

BOOST_AUTO_TEST_CASE(holds_names_and_releases) {
    TempDir dir;
    fs::path p = dir.path / "sub" / "d.pid";
    BOOST_TEST(PidFile::holder(p) == 0);
    {
        PidFile held(p);
        BOOST_TEST(read_all(p) == std::to_string(getpid()) + "\n");
        BOOST_TEST(PidFile::holder(p) == getpid());
        // flock conflicts between open files, also within one process.
        try {
            PidFile second(p);
            BOOST_FAIL("a second holder was allowed");
        } catch (const std::runtime_error& e) {
            BOOST_TEST(std::string(e.what()).find("already running as pid " +
                                                  std::to_string(getpid())) == 0);
        }
    }
    BOOST_TEST(!fs::exists(p));
    BOOST_TEST(PidFile::holder(p) == 0);
}

BOOST_AUTO_TEST_CASE(a_stale_unlocked_file_is_taken_over) {
    TempDir dir;
    fs::path p = dir.path / "d.pid";
    std::ofstream(p) << "999999\n";
    BOOST_TEST(PidFile::holder(p) == 0); // nobody holds the lock: not running
    PidFile held(p);
    BOOST_TEST(read_all(p) == std::to_string(getpid()) + "\n"); // longer old text cut off
}

BOOST_AUTO_TEST_CASE(rewrite_keeps_the_file_whole) {
    TempDir dir;
    fs::path p = dir.path / "d.pid";
    PidFile held(p);
    held.rewrite();
    BOOST_TEST(read_all(p) == std::to_string(getpid()) + "\n");
}
