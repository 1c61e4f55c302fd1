#!/usr/bin/env bash
# `lvs-realserver run`: re-applies what someone undoes, follows readiness, reloads on SIGHUP
# (a bad config keeps the old one), outlives a fault in a handler, and undoes everything on
# SIGTERM.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lab/lab.sh"
RS=${LVS_REALSERVER:?path to lvs-realserver}
VIP=10.77.0.100

lab_init
lab_node rs1 10.77.0.11/24
lab_node client 10.77.0.10/24
nginx_pid=$(lab_nginx rs1 80 rs1) || exit 1
lab_exec rs1 sysctl -qw net.ipv4.conf.lo.arp_ignore=0 net.ipv4.conf.all.arp_announce=1
cat >"$LAB_DIR/rs.conf" <<CONF
virtual_ipaddress {
    $VIP
}
service web {
    port 80
    http_get { path /healthz }
}
check_interval 0.2
agent_port 7777
CONF
log=$LAB_DIR/daemon.log
pid=$(lab_spawn rs1 daemon "$RS" run --config "$LAB_DIR/rs.conf")
# Read first, then match: under pipefail, `ip | grep -q` fails when ip dies of SIGPIPE.
has_vip() {
    local a
    a=$(ip -n "$(lab_ns rs1)" addr show dev lo)
    grep -q "$VIP/32" <<<"$a"
}
logged() { grep -q "$1" "$LAB_DIR/daemon.log"; }

check "run puts the VIP on lo" lab_wait 5 has_vip
check "readiness is up" lab_wait 5 logged "readiness: up"
# HAProxy agent-check, asked from another host: one line, then the connection closes.
agent() { lab_exec client timeout 3 bash -c 'exec 3<>/dev/tcp/10.77.0.11/7777; cat <&3'; }
agent_says() { [ "$(agent)" = "$1" ]; }
check "agent-check answers 'up'" agent_says up
lab_exec rs1 "$RS" drain >/dev/null 2>&1
check "after 'lvs-realserver drain' it answers 'drain'" lab_wait 3 agent_says drain
lab_exec rs1 "$RS" undrain >/dev/null 2>&1
check "after 'undrain' it answers 'up' again" lab_wait 3 agent_says up

lab_exec rs1 ip addr del $VIP/32 dev lo
check "a removed VIP comes back" lab_wait 3 has_vip
check "and the daemon says so" lab_wait 3 logged "re-applied: added $VIP/32 on lo (lo:0)"
lab_exec rs1 sysctl -qw net.ipv4.conf.all.arp_ignore=0
check "a reset sysctl is set again" lab_wait 3 bash -c "[ \$(ip netns exec $(lab_ns rs1) sysctl -n net.ipv4.conf.all.arp_ignore) = 1 ]"

lab_stop "$nginx_pid"
check "stopping nginx makes it not ready" lab_wait 5 logged "readiness: down #service web port 80: nothing listens"
check "agent-check answers 'down #reason'" agent_says "down #service web port 80: nothing listens"
nginx_pid=$(lab_nginx rs1 80 rs1)
check "starting nginx makes it ready again" lab_wait 5 bash -c "grep 'readiness:' $log | tail -n 1 | grep -q 'readiness: up$'"

# SIGHUP with a broken config: logged, and the running state is kept.
cp "$LAB_DIR/rs.conf" "$LAB_DIR/good.conf"
echo "virtual_ipaddress { 10.77.0.999 }" >"$LAB_DIR/rs.conf"
kill -HUP "$pid"
check "a bad reload is refused with its place" lab_wait 3 logged "reload failed, keeping the running configuration: $LAB_DIR/rs.conf:1:21"
check "the daemon keeps running" kill -0 "$pid"
check "and keeps the VIP" has_vip
# SIGHUP with a new VIP set: the new one is added, the dropped one removed.
sed "s/$VIP/10.77.0.101/" "$LAB_DIR/good.conf" >"$LAB_DIR/rs.conf"
kill -HUP "$pid"
check "a good reload adds the new VIP" lab_wait 3 bash -c "ip -n $(lab_ns rs1) addr show dev lo | grep -q 10.77.0.101/32"
check "and removes the old one" lab_wait 3 bash -c "! ip -n $(lab_ns rs1) addr show dev lo | grep -q $VIP/32"
# SIGHUP moving the agent to a port that is taken (nginx's): refused before anything changes,
# and the agent goes on answering where it was (it used to be dropped).
cp "$LAB_DIR/rs.conf" "$LAB_DIR/good2.conf"
sed "s/^agent_port 7777/agent_port 80/" "$LAB_DIR/good2.conf" >"$LAB_DIR/rs.conf"
kill -HUP "$pid"
check "a reload to a taken agent port is refused" lab_wait 3 logged \
    "reload failed, keeping the running configuration: cannot listen on agent port 80"
check "  ...and the agent still answers on 7777" lab_wait 3 agent_says up
cp "$LAB_DIR/good2.conf" "$LAB_DIR/rs.conf"

# A handler that throws (here: the state file corrupted under the running agent, which each
# round reads) is logged, and the agent goes on; it used to end, leaving VIPs and sysctls.
state=$(lab_exec rs1 "$RS" status --json --config "$LAB_DIR/rs.conf" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["state_file"])')
cp "$state" "$LAB_DIR/state.good"
echo '{"version": 1, "addresses": [{"address": "not an address"}]}' >"$state"
check "a corrupt state file is an error logged" lab_wait 3 logged "internal error, going on: .*state file"
check "  ...and the agent keeps running" kill -0 "$pid"
# A round asked for by signal (drain, undrain) fails the same way: signals must still work after.
n=$(grep -c "internal error" "$log")
kill -USR1 "$pid"
check "  ...also for a round a signal asked for" lab_wait 3 bash -c "[ \$(grep -c 'internal error' '$log') -gt $n ]"
cp "$LAB_DIR/state.good" "$state"
errors=$(grep -c "internal error" "$log")
sleep 1
check "  ...and goes on with its rounds once the file is whole again" \
    test "$(grep -c "internal error" "$log")" = "$errors"
lab_exec rs1 "$RS" drain >/dev/null 2>&1
check "  ...and answers the agent check as before" lab_wait 3 agent_says drain
lab_exec rs1 "$RS" undrain >/dev/null 2>&1

lab_stop "$pid" TERM
check "SIGTERM removes the VIPs" bash -c "! ip -n $(lab_ns rs1) addr show dev lo | grep -q 10.77.0.10"
check "and restores the sysctls" [ "$(lab_exec rs1 sysctl -n net.ipv4.conf.lo.arp_ignore net.ipv4.conf.all.arp_announce | tr '\n' ' ')" = "0 1 " ]
cat "$log"
lab_finish
