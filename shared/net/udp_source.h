// A UDP datagram from a chosen local address, on a socket bound to the wildcard: the agent's
// reports carry (signed) the address they leave from, and the director's acks must leave from
// the address the report was sent to.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/udp.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace lvsd::net {

// The local address the routes choose for sending to `to` (a UDP connect sends nothing);
// nullopt, with errno, when no route leads there. An IPv4 source comes back as IPv4 also for a
// v4-mapped destination; a link-local IPv6 one with its interface as scope.
std::optional<boost::asio::ip::address> source_for(const boost::asio::ip::udp::endpoint& to);

// Sends `datagram` on `fd` (an IPv6 UDP socket, v6only off) to `to` from `from`. A source the
// kernel will not send from (the destination is a broadcast or multicast address, or `from` is
// gone) falls back to the route's choice when `fallback`, as does an unspecified `from`. Never
// blocks: false, with errno, when the datagram was not sent.
bool send_from(int fd, std::string_view datagram, const boost::asio::ip::udp::endpoint& to,
               const boost::asio::ip::address& from, bool fallback = true);

// The address as text, unmapped and without an IPv6 scope (which only its own host can read):
// how reports name the address they are sent from, and directors their senders.
std::string address_text(const boost::asio::ip::address& a);

} // namespace lvsd::net
