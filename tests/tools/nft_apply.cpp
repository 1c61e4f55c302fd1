// Test driver for the nftables backend: desired table (keepalived.conf or JSON) → read our nft
// tables → diff → apply as one transaction, printing every op and every refusal.
//
//   nft_apply [--config FILE | --table FILE.json] [--weight VS:RS=W]... [--interface IF]
//             [--slots PRIME] [--seed N] [--dry-run] [--dump] [--slot-map]
// --slot-map prints, for each service, how many Maglev slots each real server owns.
// Exit status: 0 all applied, 1 an op was refused, 2 usage or configuration error, 3 nft failed.
#include "conf/diagnostic.h"
#include "director/config/parser.h"
#include "director/dataplane/backend.h"
#include "director/dataplane/desired_table.h"
#include "director/dataplane/diff.h"
#include "director/dataplane/nft/nftables.h"
#include "director/dataplane/table_json.h"

#include <fstream>
#include <iostream>
#include <map>

using namespace lvsd;
using namespace lvsd::director;
using namespace lvsd::director::dataplane;

namespace {

[[noreturn]] void usage(const std::string& why) {
    std::cerr << "nft_apply: " << why << "\n"
              << "usage: nft_apply [--config FILE | --table FILE.json] [--weight VS:RS=W]...\n"
                 "       [--interface IF] [--slots PRIME] [--seed N] [--dry-run] [--dump]\n"
                 "       [--slot-map]\n";
    std::exit(2);
}

uint32_t number(const std::string& s) {
    try {
        size_t n = 0;
        unsigned long v = std::stoul(s, &n, 0);
        if (n != s.size() || v > 0xffffffffUL)
            throw std::invalid_argument(s);
        return static_cast<uint32_t>(v);
    } catch (const std::exception&) {
        usage("not a number: '" + s + "'");
    }
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string config_file, table_file;
    WeightOverrides weights;
    nft::Options options;
    bool dry_run = false, dump = false, slot_map = false;

    for (size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        auto next = [&]() -> const std::string& {
            if (i + 1 >= args.size())
                usage(a + " needs a value");
            return args[++i];
        };
        if (a == "--config")
            config_file = next();
        else if (a == "--table")
            table_file = next();
        else if (a == "--weight") {
            const auto& w = next();
            auto colon = w.find(':'), eq = w.find('=');
            if (colon == std::string::npos || eq == std::string::npos || eq < colon)
                usage("--weight takes VS:RS=WEIGHT (indices in the config)");
            weights[RealServerRef{number(w.substr(0, colon)),
                                  number(w.substr(colon + 1, eq - colon - 1))}] =
                static_cast<int>(number(w.substr(eq + 1)));
        } else if (a == "--interface")
            options.interface = next();
        else if (a == "--slots")
            options.slots = number(next());
        else if (a == "--seed")
            options.seed = number(next());
        else if (a == "--dry-run")
            dry_run = true;
        else if (a == "--dump")
            dump = true;
        else if (a == "--slot-map")
            slot_map = true;
        else
            usage("unknown argument '" + a + "'");
    }
    if (!config_file.empty() && !table_file.empty())
        usage("--config and --table exclude each other");

    std::optional<Table> desired;
    if (!config_file.empty()) {
        conf::Diagnostics diags;
        config::Config c;
        try {
            c = config::load_config(config_file, "", diags);
        } catch (const std::exception& e) {
            std::cerr << "nft_apply: " << e.what() << "\n";
            return 2;
        }
        for (const auto& d : diags.all())
            std::cerr << d.str() << "\n";
        if (diags.has_errors())
            return 2;
        auto dt = desired_table(c, weights);
        for (const auto& n : dt.notes)
            std::cout << "note: " << n << "\n";
        desired = std::move(dt.table);
    } else if (!table_file.empty()) {
        try {
            std::ifstream in(table_file);
            if (!in)
                throw std::runtime_error("cannot read " + table_file);
            desired = table_from_json(nlohmann::json::parse(in));
        } catch (const std::exception& e) {
            std::cerr << "nft_apply: " << table_file << ": " << e.what() << "\n";
            return 2;
        }
    }

    int rc = 0;
    try {
        nft::NftBackend kernel(options);
        if (desired) {
            auto print_ops = [](const std::vector<Op>& ops) {
                std::cout << "ops: " << ops.size() << "\n";
                for (const auto& op : ops)
                    std::cout << "op: " << op.str() << "\n";
            };
            if (dry_run) {
                print_ops(diff(*desired, kernel.read_table()));
            } else {
                auto r = reconcile(kernel, *desired);
                print_ops(r.ops);
                for (const auto& e : r.errors)
                    std::cout << "error: " << e.str() << "\n";
                for (const auto& s : r.skipped)
                    std::cout << "skipped: " << s.str() << "\n";
                std::cout << "applied: " << r.applied << " refused: " << r.errors.size()
                          << " skipped: " << r.skipped.size() << "\n";
                if (!r.errors.empty()) {
                    if (!kernel.last_error().empty())
                        std::cerr << kernel.last_error();
                    rc = 1;
                }
                // What the backend keeps for its next apply must be what the kernel holds.
                const auto& kept = kernel.kept();
                if (r.errors.empty() && !kept) {
                    std::cerr << "nft_apply: nothing kept after a clean apply\n";
                    rc = 3;
                } else if (kept) {
                    auto fresh = kernel.read_state();
                    auto to_fresh = nft::render(*kept, fresh, options);
                    if (kept->tables != fresh.tables || !to_fresh.empty() ||
                        !nft::render(fresh, *kept, options).empty()) {
                        std::cerr << "nft_apply: the state kept differs from the kernel's:\n"
                                  << to_fresh;
                        rc = 3;
                    }
                }
            }
        }
        if (slot_map)
            for (const auto& [key, s] : kernel.read_state().services) {
                std::map<std::string, size_t> count;
                for (const auto& v : nft::slot_values(s))
                    ++count[v.empty() ? "-" : v];
                std::cout << "slots: " << key.str() << " " << nft::object_id(key);
                for (const auto& [v, n] : count)
                    std::cout << " " << v << "=" << n;
                std::cout << " drained=" << s.est.size() << "\n";
            }
        if (dump)
            std::cout << to_json(kernel.read_table()).dump(1) << "\n";
    } catch (const nft::NftError& e) {
        std::cerr << "nft_apply: " << e.what() << "\n";
        return 3;
    }
    return rc;
}
