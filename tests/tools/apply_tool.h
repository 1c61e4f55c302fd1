// What the dataplane test drivers (ipvs_apply, nft_apply) share: the command line's desired
// table (--config FILE or --table FILE.json, with --weight VS:RS=W overrides), numbers, and the
// printout of a diff or an apply that the tests read.
#pragma once

#include "director/dataplane/backend.h"
#include "director/dataplane/desired_table.h"
#include "director/dataplane/diff.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lvsd::tools {

class ApplyTool {
public:
    // `name` prefixes messages; `usage` is printed after a usage error (exit 2).
    ApplyTool(std::string name, std::string usage)
        : name_(std::move(name)), usage_(std::move(usage)) {}

    [[noreturn]] void usage(const std::string& why) const;
    // A whole unsigned 32-bit number in `base` (0: C's prefixes), or a usage error.
    uint32_t number(const std::string& s, int base = 10) const;
    // The value after args[i] (i moves to it), or a usage error.
    const std::string& next(const std::vector<std::string>& args, size_t& i) const;
    // Takes --config, --table or --weight at args[i]: true when it was one of them.
    bool shared_option(const std::vector<std::string>& args, size_t& i);
    // The desired table --config or --table gives (nullopt: neither). A bad file: printed,
    // and `rc` set to 2.
    std::optional<director::dataplane::Table> desired(int& rc) const;

    // "ops: N" and "op: ..." lines.
    static void print_ops(const std::vector<director::dataplane::Op>& ops);
    // A reconcile's ops, errors, skips and totals; 1 when an op was refused, else 0.
    static int print_result(const director::dataplane::ApplyResult& r);

private:
    std::string name_, usage_;
    std::string config_file_, table_file_;
    director::dataplane::WeightOverrides weights_;
};

} // namespace lvsd::tools
