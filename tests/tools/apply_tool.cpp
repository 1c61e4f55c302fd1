#include "apply_tool.h"

#include "conf/diagnostic.h"
#include "director/config/parser.h"
#include "director/dataplane/table_json.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <stdexcept>

namespace lvsd::tools {

using namespace lvsd::director;
using namespace lvsd::director::dataplane;

void ApplyTool::usage(const std::string& why) const {
    std::cerr << name_ << ": " << why << "\n" << usage_;
    std::exit(2);
}

uint32_t ApplyTool::number(const std::string& s, int base) const {
    try {
        size_t n = 0;
        unsigned long v = std::stoul(s, &n, base);
        if (n != s.size() || v > 0xffffffffUL)
            throw std::invalid_argument(s);
        return static_cast<uint32_t>(v);
    } catch (const std::exception&) {
        usage("not a number: '" + s + "'");
    }
}

const std::string& ApplyTool::next(const std::vector<std::string>& args, size_t& i) const {
    if (i + 1 >= args.size())
        usage(args[i] + " needs a value");
    return args[++i];
}

bool ApplyTool::shared_option(const std::vector<std::string>& args, size_t& i) {
    const auto& a = args[i];
    if (a == "--config")
        config_file_ = next(args, i);
    else if (a == "--table")
        table_file_ = next(args, i);
    else if (a == "--weight") {
        const auto& w = next(args, i);
        auto colon = w.find(':'), eq = w.find('=');
        if (colon == std::string::npos || eq == std::string::npos || eq < colon)
            usage("--weight takes VS:RS=WEIGHT (indices in the config)");
        weights_[RealServerRef{number(w.substr(0, colon)),
                               number(w.substr(colon + 1, eq - colon - 1))}] =
            static_cast<int>(number(w.substr(eq + 1)));
    } else
        return false;
    return true;
}

std::optional<Table> ApplyTool::desired(int& rc) const {
    if (!config_file_.empty() && !table_file_.empty())
        usage("--config and --table exclude each other");
    if (!config_file_.empty()) {
        conf::Diagnostics diags;
        config::Config c;
        try {
            c = config::load_config(config_file_, "", diags);
        } catch (const std::exception& e) {
            std::cerr << name_ << ": " << e.what() << "\n";
            rc = 2;
            return std::nullopt;
        }
        for (const auto& d : diags.all())
            std::cerr << d.str() << "\n";
        if (diags.has_errors()) {
            rc = 2;
            return std::nullopt;
        }
        auto dt = desired_table(c, weights_);
        for (const auto& n : dt.notes)
            std::cout << "note: " << n << "\n";
        return std::move(dt.table);
    }
    if (!table_file_.empty()) {
        try {
            std::ifstream in(table_file_);
            if (!in)
                throw std::runtime_error("cannot read " + table_file_);
            return table_from_json(nlohmann::json::parse(in));
        } catch (const std::exception& e) {
            std::cerr << name_ << ": " << table_file_ << ": " << e.what() << "\n";
            rc = 2;
        }
    }
    return std::nullopt;
}

void ApplyTool::print_ops(const std::vector<Op>& ops) {
    std::cout << "ops: " << ops.size() << "\n";
    for (const auto& op : ops)
        std::cout << "op: " << op.str() << "\n";
}

int ApplyTool::print_result(const ApplyResult& r) {
    print_ops(r.ops);
    for (const auto& e : r.errors)
        std::cout << "error: " << e.str() << "\n";
    for (const auto& s : r.skipped)
        std::cout << "skipped: " << s.str() << "\n";
    std::cout << "applied: " << r.applied << " refused: " << r.errors.size()
              << " skipped: " << r.skipped.size() << "\n";
    return r.errors.empty() ? 0 : 1;
}

} // namespace lvsd::tools
