#!/usr/bin/env bash
# `service realserver start|status|reload|stop` through the SysV script, inside a namespace, as the
# classic recipe's users type it.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lab/lab.sh"
RS=${LVS_REALSERVER:?path to lvs-realserver}
SRC=${LVSD_SOURCE_DIR:-$here/../..}
VIP=10.77.0.100

# The script is installed under /etc for the test; whatever was there is put back afterwards.
backup=$(mktemp -d)
[ -e /etc/init.d/realserver ] && cp -a /etc/init.d/realserver "$backup/init"
[ -e /etc/default/realserver ] && cp -a /etc/default/realserver "$backup/default"
restore_etc() {
    rm -f /etc/init.d/realserver /etc/default/realserver
    [ -e "$backup/init" ] && cp -a "$backup/init" /etc/init.d/realserver
    [ -e "$backup/default" ] && cp -a "$backup/default" /etc/default/realserver
    rm -rf "$backup"
}
lab_init
trap 'rc=$?; restore_etc; (exit $rc); lab_teardown' EXIT
install -m 755 "$SRC/init/realserver" /etc/init.d/realserver
# The agent reads a file, as installed hosts do (/etc/lvsd/realserver.conf); reload edits it.
RSCONF=$LAB_DIR/realserver.conf
rsconf() { { echo "virtual_ipaddress {"; printf '    %s\n' "$@"; echo "}"; } >"$RSCONF"; }
rsconf $VIP
printf 'DAEMON=%s\nREALSERVER_OPTS="--config %s"\n' "$RS" "$RSCONF" >/etc/default/realserver

lab_node rs1 10.77.0.11/24
lab_exec rs1 sysctl -qw net.ipv4.conf.lo.arp_ignore=2
lab_exec rs1 service realserver status >/dev/null; rc=$?
check "service realserver status before start: 3" [ $rc = 3 ]
lab_exec rs1 service realserver start; rc=$?
check "service realserver start: 0" [ $rc = 0 ]
check "VIP on lo:0" bash -c "ip -n $(lab_ns rs1) -4 addr show dev lo | grep -q 'inet $VIP/32 scope global lo:0'"
agent_runs() {
    local p
    for p in $(ip netns pids "$(lab_ns rs1)"); do
        tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q -- '--syslog run' && return 0
    done
    return 1
}
check "start runs the agent (lvs-realserver run) in the background" agent_runs
lab_exec rs1 service realserver status; rc=$?
check "service realserver status: 0" [ $rc = 0 ]
lab_exec rs1 service realserver restart >/dev/null 2>&1; rc=$?
check "service realserver restart: 0" [ $rc = 0 ]
# reload: start again on the edited settings; VIPs added and removed, the kept one stays.
VIP2=10.77.0.101
rsconf $VIP $VIP2
lab_exec rs1 service realserver reload >/dev/null; rc=$?
check "service realserver reload (a VIP added): 0" [ $rc = 0 ]
check "both VIPs on lo after reload" bash -c "ip -n $(lab_ns rs1) -4 addr show dev lo | grep -q 'inet $VIP/32' &&
    ip -n $(lab_ns rs1) -4 addr show dev lo | grep -q 'inet $VIP2/32'"
rsconf $VIP
lab_exec rs1 service realserver reload >/dev/null; rc=$?
check "service realserver reload (a VIP removed): 0" [ $rc = 0 ]
check "the removed VIP is gone, the kept one stays" bash -c "ip -n $(lab_ns rs1) -4 addr show dev lo | grep -q 'inet $VIP/32' &&
    ! ip -n $(lab_ns rs1) -4 addr show dev lo | grep -q 'inet $VIP2/32'"
lab_exec rs1 service realserver stop; rc=$?
check "service realserver stop: 0" [ $rc = 0 ]
check "stop ended the agent" lab_wait 3 eval '! agent_runs'
check "VIP removed" bash -c "! ip -n $(lab_ns rs1) addr show dev lo | grep -q $VIP"
check "arp_ignore on lo restored to 2" [ "$(lab_exec rs1 sysctl -n net.ipv4.conf.lo.arp_ignore)" = 2 ]
lab_exec rs1 service realserver bogus >/dev/null 2>&1; rc=$?
check "unknown action: 2" [ $rc = 2 ]
lab_finish
