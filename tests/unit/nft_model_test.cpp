#define BOOST_TEST_MODULE nft_model
#include <boost/test/unit_test.hpp>

#include "conf/reader.h"
#include "conf/statement.h"
#include "director/config/json.h"
#include "director/config/parser.h"
#include "director/dataplane/choose_backend.h"
#include "director/dataplane/diff.h"
#include "director/dataplane/nft/model.h"

#include <cerrno>
#include <sys/socket.h>

using namespace lvsd;
using namespace lvsd::director;
using namespace lvsd::director::dataplane;
using namespace lvsd::director::dataplane::nft;

namespace {

net::IpAddress ip(const std::string& s) {
    auto a = net::IpAddress::parse(s);
    BOOST_REQUIRE(a);
    a->prefix_len = a->max_prefix();
    return *a;
}

Destination dest(const std::string& addr, uint16_t port, int weight, Forward f) {
    Destination d;
    d.key = DestinationKey{ip(addr), port};
    d.weight = weight;
    d.forward = f;
    return d;
}

Service service(const std::string& vip, uint16_t port, std::vector<Destination> dests,
                Protocol p = Protocol::tcp) {
    Service s;
    s.key = ServiceKey::by_address(p, ip(vip), port);
    s.scheduler = "mh";
    for (const auto& d : dests)
        s.add(d);
    return s;
}

Options opts() {
    Options o;
    o.interface = "eth0";
    o.slots = 251;
    return o;
}

// desired → the State stage() makes of it, from `from`.
State staged(const State& from, const Table& desired, const Options& o = opts()) {
    auto st = stage(from, diff(desired, from.table()), o);
    BOOST_TEST(st.refused.empty());
    return st.next;
}

Table table(std::vector<Service> services) {
    Table t;
    for (const auto& s : services)
        t.add(s);
    return t;
}

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1))
        ++n;
    return n;
}

std::vector<Destination> four(int w3 = 1) {
    return {dest("10.0.1.1", 80, 1, Forward::dr), dest("10.0.1.2", 80, 1, Forward::dr),
            dest("10.0.1.3", 80, w3, Forward::dr), dest("10.0.1.4", 80, 1, Forward::dr)};
}

} // namespace

BOOST_AUTO_TEST_CASE(comments_round_trip) {
    ServiceState s;
    s.service = service("fd00::1", 443, {});
    s.service.persistence = Persistence{300, 64};
    s.service.flags = service_flag::sched1;
    s.place = Place::ip6;
    s.slots = 4093;
    s.seed = 0xdeadbeef;
    auto c = encode(s);
    BOOST_TEST(c.size() <= 128u);
    auto back = decode_service(c, Place::ip6);
    BOOST_REQUIRE(back);
    BOOST_TEST((back->service.key == s.service.key));
    BOOST_TEST(same_settings(back->service, s.service));
    BOOST_TEST(back->slots == 4093u);
    BOOST_TEST(back->seed == 0xdeadbeefu);

    auto d = dest("fd00::2", 8443, 7, Forward::nat);
    d.u_threshold = 100;
    d.l_threshold = 10;
    auto dd = decode_destination(encode(d));
    BOOST_REQUIRE(dd);
    BOOST_TEST((dd->key == d.key));
    BOOST_TEST(same_settings(*dd, d));
    BOOST_TEST(!decode_destination("garbage"));
    BOOST_TEST(!decode_service("2|TCP|1.2.3.4|80|rr|0|0|0||251|1", Place::ip));
}

BOOST_AUTO_TEST_CASE(refusals) {
    Table t;
    t.add(service("10.0.0.1", 80, {dest("10.0.1.1", 80, 1, Forward::tun)}));
    Service fw;
    fw.key = ServiceKey::by_fwmark(AF_INET, 7);
    fw.add(dest("10.0.1.1", 0, 1, Forward::dr));
    t.add(fw);
    t.add(service("10.0.0.2", 80,
                  {dest("10.0.1.1", 80, 1, Forward::dr), dest("10.0.1.2", 80, 1, Forward::nat)}));
    auto ops = diff(t, {});
    auto st = stage({}, ops, opts());
    std::map<std::string, int> why;
    for (auto [i, err] : st.refused)
        why[ops[i].str()] = err;
    BOOST_TEST(why.size() == 3u);
    for (const auto& [op, err] : why) {
        BOOST_TEST_MESSAGE(op << ": " << err);
        BOOST_TEST(err == EOPNOTSUPP);
    }
    BOOST_TEST(st.skipped.empty());
    BOOST_TEST(st.next.services.size() == 3u); // the fwmark service, without its DR server

    // DR needs an interface.
    Options none = opts();
    none.interface.clear();
    auto dr = table({service("10.0.0.1", 80, {dest("10.0.1.1", 80, 1, Forward::dr)})});
    auto st2 = stage({}, diff(dr, {}), none);
    BOOST_REQUIRE(st2.refused.size() == 1u);
    BOOST_TEST(st2.refused[0].second == ENODEV);
}

BOOST_AUTO_TEST_CASE(fwmark_nat_services) {
    Service fw;
    fw.key = ServiceKey::by_fwmark(AF_INET, 7);
    fw.scheduler = "mh";
    fw.add(dest("10.0.1.1", 8080, 1, Forward::nat));
    fw.add(dest("10.0.1.2", 8080, 1, Forward::nat));
    State s = staged({}, table({fw}));
    const auto& ss = s.services.begin()->second;
    BOOST_TEST((ss.place == Place::ip));
    auto text = render({}, s, opts());
    BOOST_TEST(count(text, "add map ip lvsd fwm4 { type mark : verdict; }") == 1u);
    BOOST_TEST(count(text, "add rule ip lvsd pre meta mark vmap @fwm4") == 1u);
    BOOST_TEST(text.find("meta mark vmap") < text.find("daddr . meta l4proto"));
    BOOST_TEST(count(text, "add element ip lvsd fwm4 { 7 comment") == 1u);
    BOOST_TEST(count(text, " : 10.0.1.1 . 8080") > 0u);
    auto rules = chain_rules(ss, opts());
    BOOST_REQUIRE(rules.size() == 2u);
    BOOST_TEST(rules[0] == "meta l4proto tcp dnat ip addr . port to jhash ip saddr . th sport "
                           "mod 251 seed 0x4c564d31 map @" +
                               object_id(fw.key) + "_new");
    // The comment round-trips, and the same table again renders nothing.
    auto back = decode_service(encode(ss), Place::ip);
    BOOST_REQUIRE(back);
    BOOST_TEST((back->service.key == fw.key));
    BOOST_TEST(render(s, staged(s, table({fw})), opts()).empty());

    // Port 0 everywhere: the packet's port is kept, the map holds addresses (a rebuild).
    Service keep = fw;
    keep.destinations.clear();
    keep.add(dest("10.0.1.1", 0, 1, Forward::nat));
    keep.add(dest("10.0.1.2", 0, 1, Forward::nat));
    State k = staged(s, table({keep}));
    auto kt = render(s, k, opts());
    BOOST_TEST(count(kt, "delete chain") == 1u);
    BOOST_TEST(count(kt, "dnat ip to jhash") == 1u);
    BOOST_TEST(count(kt, " : 10.0.1.1\n") + count(kt, " : 10.0.1.1,") + count(kt, " : 10.0.1.1 }") >
               0u);

    // Mixing port 0 with other ports, or DR: refused.
    Service mixed = keep;
    mixed.add(dest("10.0.1.3", 80, 1, Forward::nat));
    auto ops = diff(table({mixed}), k.table());
    auto st = stage(k, ops, opts());
    BOOST_REQUIRE(st.refused.size() == 1u);
    BOOST_TEST(st.refused[0].second == EOPNOTSUPP);
}

BOOST_AUTO_TEST_CASE(unchanged_renders_nothing_new_renders_everything) {
    auto t = table({service("10.0.0.1", 80, four()),
                    service("10.0.0.2", 80, {dest("10.0.1.1", 8080, 1, Forward::nat)})});
    State s = staged({}, t);
    BOOST_TEST((s.tables == std::set<Place>{Place::netdev, Place::ip}));
    auto text = render({}, s, opts());
    BOOST_TEST(count(text, "add table netdev lvsd") == 1u);
    BOOST_TEST(count(text, "add table ip lvsd") == 1u);
    BOOST_TEST(count(text, "hook ingress device \"eth0\"") == 1u);
    BOOST_TEST(count(text, "meta pkttype != host accept") == 1u);
    BOOST_TEST(count(text, "fwd ip to jhash ip saddr . tcp sport mod 251 seed 0x4c564d31") == 1u);
    BOOST_TEST(count(text, "dnat ip addr . port to jhash") == 1u);
    BOOST_TEST(render(s, s, opts()).empty());
    BOOST_TEST((stage(s, diff(t, s.table()), opts()).next.table() == t));
}

BOOST_AUTO_TEST_CASE(removing_one_rewrites_only_its_slots) {
    State s = staged({}, table({service("10.0.0.1", 80, four())}));
    auto gone = four();
    gone.erase(gone.begin() + 2);
    State t = staged(s, table({service("10.0.0.1", 80, gone)}));
    auto text = render(s, t, opts());
    auto before = slot_values(s.services.begin()->second);
    auto after = slot_values(t.services.begin()->second);
    size_t moved = 0, on3 = 0;
    for (size_t i = 0; i < before.size(); ++i) {
        on3 += before[i] == "10.0.1.3";
        moved += before[i] != after[i] && before[i] != "10.0.1.3";
    }
    BOOST_TEST(on3 > 40u);
    BOOST_TEST(moved <= 251u / 50);
    // Only the changed slots are in the transaction, no table or chain is rebuilt.
    BOOST_TEST(count(text, " : 10.0.1.") == on3 + moved);
    BOOST_TEST(count(text, "add chain") == 0u);
    BOOST_TEST(count(text, "flush") == 0u);
}

BOOST_AUTO_TEST_CASE(a_setting_that_moves_no_slot_leaves_the_slot_map_alone) {
    State s = staged({}, table({service("10.0.0.1", 80, four())}));
    auto limited = four();
    limited[1].u_threshold = 100;
    State t = staged(s, table({service("10.0.0.1", 80, limited)}));
    auto text = render(s, t, opts());
    BOOST_TEST(count(text, "_dst {") == 2u); // its element, deleted and added
    BOOST_TEST(count(text, "_new {") == 0u);
    // Another service's change neither builds nor touches this one's slots.
    State u =
        staged(t, table({service("10.0.0.1", 80, limited),
                         service("10.0.0.2", 80, {dest("10.0.1.1", 8080, 1, Forward::nat)})}));
    BOOST_TEST(count(render(t, u, opts()), "netdev lvsd " + object_id(s.services.begin()->first)) ==
               0u);
}

BOOST_AUTO_TEST_CASE(drain_keeps_old_slots_for_established_flows) {
    State s = staged({}, table({service("10.0.0.1", 80, four())}));
    State d = staged(s, table({service("10.0.0.1", 80, four(0))}));
    const auto& sd = d.services.begin()->second;
    auto before = slot_values(s.services.begin()->second);
    size_t on3 = 0;
    for (size_t i = 0; i < before.size(); ++i)
        if (before[i] == "10.0.1.3") {
            ++on3;
            BOOST_TEST(sd.est.count(static_cast<uint32_t>(i)) == 1u);
        }
    BOOST_TEST(sd.est.size() == on3);
    for (const auto& v : slot_values(sd))
        BOOST_TEST(v != "10.0.1.3");
    auto rules = chain_rules(sd, opts());
    BOOST_TEST(rules.size() == 5u); // fresh update, fresh lookup, est, new, drop
    // No drain, no drain objects (an empty _fresh set costs 2 MiB of kernel memory).
    BOOST_TEST(!s.services.begin()->second.drain_objects);
    BOOST_TEST(count(render({}, s, opts()), "_fresh") == 0u);
    BOOST_TEST(count(render({}, s, opts()), "_est") == 0u);
    // The drain creates them before the rules that use them.
    auto text = render(s, d, opts());
    BOOST_TEST(sd.drain_objects);
    BOOST_TEST(count(text, "add set netdev lvsd") == 1u);
    BOOST_TEST(count(text, "add map netdev lvsd") == 1u);
    BOOST_TEST(text.find("_fresh {") < text.find("update @"));
    BOOST_TEST(count(text, "flush set netdev lvsd") == 0u);
    BOOST_TEST(count(text, "flush chain netdev lvsd") == 1u);
    BOOST_TEST(render(d, d, opts()).empty());

    // A later unrelated change keeps the drain; taking the server back ends it.
    auto five = four(0);
    five.push_back(dest("10.0.1.5", 80, 1, Forward::dr));
    State d2 = staged(d, table({service("10.0.0.1", 80, five)}));
    BOOST_TEST(d2.services.begin()->second.est.size() == on3);
    BOOST_TEST(count(render(d, d2, opts()), "_fresh") == 0u);
    State back = staged(d2, table({service("10.0.0.1", 80, four())}));
    BOOST_TEST(back.services.begin()->second.est.empty());
    BOOST_TEST(chain_rules(back.services.begin()->second, opts()).size() == 2u);
    // The drain's end deletes them, after the rules that used them are gone.
    auto end = render(d2, back, opts());
    BOOST_TEST(count(end, "delete set netdev lvsd") == 1u);
    BOOST_TEST(count(end, "delete map netdev lvsd") == 1u);
    BOOST_TEST(count(end, "delete element netdev lvsd " + object_id(back.services.begin()->first) +
                              "_est") == 0u);
    BOOST_TEST(end.find("flush chain") < end.find("delete set"));
    BOOST_TEST(!back.services.begin()->second.drain_objects);

    // Left from an older version: empty drain objects are deleted; an existing one is flushed
    // when a drain starts in it.
    State old = s;
    old.services.begin()->second.drain_objects = true;
    BOOST_TEST(count(render(old, staged(old, table({service("10.0.0.1", 80, four())})), opts()),
                     "delete set") == 1u);
    auto again = render(old, staged(old, table({service("10.0.0.1", 80, four(0))})), opts());
    BOOST_TEST(count(again, "add set") == 0u);
    BOOST_TEST(count(again, "flush set") == 1u);
}

BOOST_AUTO_TEST_CASE(a_new_table_size_rebuilds_the_service) {
    State s = staged({}, table({service("10.0.0.1", 80, four())}));
    Options bigger = opts();
    bigger.slots = 509;
    // No op from diff(), yet the table is rebuilt at the new size; then nothing more.
    auto st = stage(s, {}, bigger);
    BOOST_TEST(st.next.services.begin()->second.slots == 509u);
    auto text = render(s, st.next, bigger);
    BOOST_TEST(count(text, "delete chain") == 1u);
    BOOST_TEST(count(text, "mod 509") == 1u);
    BOOST_TEST(render(st.next, stage(st.next, {}, bigger).next, bigger).empty());
}

BOOST_AUTO_TEST_CASE(parse_state_reads_what_nft_lists) {
    // As `nft -j list table netdev lvsd` prints it (abridged to the parts that are read).
    ServiceState s;
    s.service = service("10.0.0.1", 80, {});
    s.place = Place::netdev;
    s.slots = 251;
    s.seed = 7;
    auto id = object_id(s.service.key);
    auto d = dest("10.0.1.1", 80, 3, Forward::dr);
    auto text = R"({"nftables": [{"metainfo": {"version": "1.0.6"}},
      {"table": {"family": "netdev", "name": "lvsd", "handle": 1}},
      {"map": {"family": "netdev", "name": "svc4", "table": "lvsd", "type": ["ipv4_addr",
        "inet_proto", "inet_service"], "map": "verdict", "elem": [[{"elem": {"val": {"concat":
        ["10.0.0.1", "tcp", 80]}, "comment": "SVC"}}, {"jump": {"target": "ID"}}]]}},
      {"set": {"family": "netdev", "name": "ID_dst", "table": "lvsd", "elem": [{"elem": {"val":
        {"concat": ["10.0.1.1", 80]}, "comment": "DST"}}]}},
      {"map": {"family": "netdev", "name": "ID_new", "table": "lvsd", "type": "integer", "map":
        "ipv4_addr", "elem": [[0, "10.0.1.1"], [1, "10.0.1.1"]]}},
      {"map": {"family": "netdev", "name": "ID_est", "table": "lvsd", "type": "integer", "map":
        "ipv4_addr", "elem": [[{"elem": {"val": 17, "comment": "10.0.1.1|80"}}, "10.0.1.1"]]}}
    ]})";
    std::string doc = text;
    auto replace = [&](const std::string& from, const std::string& to) {
        for (auto pos = doc.find(from); pos != std::string::npos; pos = doc.find(from, pos + 1))
            doc.replace(pos, from.size(), to);
    };
    replace("SVC", encode(s));
    replace("DST", encode(d));
    replace("ID", id);
    auto st = parse_state({nlohmann::json::parse(doc)});
    BOOST_TEST((st.tables == std::set<Place>{Place::netdev}));
    BOOST_REQUIRE(st.services.size() == 1u);
    const auto& got = st.services.begin()->second;
    BOOST_TEST((got.service.key == s.service.key));
    BOOST_TEST(got.service.scheduler == "mh");
    BOOST_TEST(got.slots == 251u);
    BOOST_TEST(got.seed == 7u);
    BOOST_REQUIRE(got.service.destinations.size() == 1u);
    BOOST_TEST(got.service.destinations.begin()->second.weight == 3);
    BOOST_TEST((got.service.destinations.begin()->second.forward == Forward::dr));
    BOOST_REQUIRE(got.est.size() == 1u);
    BOOST_TEST(got.est.begin()->first == 17u);
    BOOST_TEST(got.drain_objects);

    // An empty _est map lists without "elem": the objects exist all the same.
    auto empty = nlohmann::json::parse(doc);
    empty["nftables"][5]["map"].erase("elem");
    auto st2 = parse_state({empty});
    BOOST_TEST(st2.services.begin()->second.est.empty());
    BOOST_TEST(st2.services.begin()->second.drain_objects);
    empty["nftables"].erase(5);
    BOOST_TEST(!parse_state({empty}).services.begin()->second.drain_objects);
}

BOOST_AUTO_TEST_CASE(choosing_the_backend) {
    using config::LvsDataplane;
    BOOST_TEST((choose_backend(LvsDataplane::automatic, true) == BackendKind::ipvs));
    BOOST_TEST((choose_backend(LvsDataplane::automatic, false) == BackendKind::nftables));
    BOOST_TEST((choose_backend(LvsDataplane::ipvs, false) == BackendKind::ipvs));
    BOOST_TEST((choose_backend(LvsDataplane::nftables, true) == BackendKind::nftables));
    BOOST_TEST(str(BackendKind::nftables) == "nftables");
}

BOOST_AUTO_TEST_CASE(lvs_dataplane_in_global_defs) {
    auto parse = [](const std::string& text, conf::Diagnostics& d) {
        conf::Reader r(d);
        return config::parse_config(conf::build_statements(r.read_string(text, "t.conf")), d);
    };
    conf::Diagnostics d1;
    auto c = parse("global_defs {\n lvs_dataplane nftables\n}\n", d1);
    BOOST_TEST(!d1.has_errors());
    BOOST_TEST((c.global_defs.lvs_dataplane == config::LvsDataplane::nftables));
    BOOST_TEST(config::to_json(c)["global_defs"]["lvs_dataplane"] == "nftables");
    conf::Diagnostics d2;
    BOOST_TEST((parse("global_defs {\n}\n", d2).global_defs.lvs_dataplane ==
                config::LvsDataplane::automatic));
    conf::Diagnostics d3;
    parse("global_defs {\n lvs_dataplane xdp\n}\n", d3);
    BOOST_TEST(d3.has_errors());
}
