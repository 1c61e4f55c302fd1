// Test driver for the nftables backend: desired table (keepalived.conf or JSON) → read our nft
// tables → diff → apply as one transaction, printing every op and every refusal.
//
//   nft_apply [--config FILE | --table FILE.json] [--weight VS:RS=W]... [--interface IF]
//             [--slots PRIME] [--seed N] [--dry-run] [--dump] [--slot-map]
// --slot-map prints, for each service, how many Maglev slots each real server owns.
// Exit status: 0 all applied, 1 an op was refused, 2 usage or configuration error, 3 nft failed.
#include "apply_tool.h"
#include "director/dataplane/nft/nftables.h"
#include "director/dataplane/table_json.h"

#include <iostream>
#include <map>

using namespace lvsd;
using namespace lvsd::director;
using namespace lvsd::director::dataplane;

int main(int argc, char** argv) {
    tools::ApplyTool tool(
        "nft_apply", "usage: nft_apply [--config FILE | --table FILE.json] [--weight VS:RS=W]...\n"
                     "       [--interface IF] [--slots PRIME] [--seed N] [--dry-run] [--dump]\n"
                     "       [--slot-map]\n");
    std::vector<std::string> args(argv + 1, argv + argc);
    nft::Options options;
    bool dry_run = false, dump = false, slot_map = false;

    for (size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        if (tool.shared_option(args, i))
            continue;
        if (a == "--interface")
            options.interface = tool.next(args, i);
        else if (a == "--slots")
            options.slots = tool.number(tool.next(args, i), 0);
        else if (a == "--seed")
            options.seed = tool.number(tool.next(args, i), 0);
        else if (a == "--dry-run")
            dry_run = true;
        else if (a == "--dump")
            dump = true;
        else if (a == "--slot-map")
            slot_map = true;
        else
            tool.usage("unknown argument '" + a + "'");
    }
    int rc = 0;
    auto desired = tool.desired(rc);
    if (rc)
        return rc;

    try {
        nft::NftBackend kernel(options);
        if (desired) {
            if (dry_run) {
                tools::ApplyTool::print_ops(diff(*desired, kernel.read_table()));
            } else {
                auto r = reconcile(kernel, *desired);
                rc = tools::ApplyTool::print_result(r);
                if (rc && !kernel.last_error().empty())
                    std::cerr << kernel.last_error();
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
