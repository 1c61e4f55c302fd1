// Table objects ⇄ IPVS netlink attributes (include/uapi/linux/ip_vs.h).
#pragma once

#include "director/dataplane/table.h"

#include <optional>

struct nl_msg;
struct nlattr;

namespace lvsd::director::dataplane::ipvs {

// IPVS_CMD_ATTR_SERVICE: the identifying attributes, plus the settings when `full`.
void put_service(nl_msg* m, const Service& s, bool full);
// IPVS_CMD_ATTR_DEST for a destination of `service`: the address, plus the settings when `full`.
void put_destination(nl_msg* m, const Service& service, const Destination& d, bool full);

// From a dump reply's IPVS_CMD_ATTR_SERVICE / IPVS_CMD_ATTR_DEST; nullopt if malformed.
std::optional<Service> parse_service(nlattr* nested);
std::optional<Destination> parse_destination(nlattr* nested, int service_family);

} // namespace lvsd::director::dataplane::ipvs
