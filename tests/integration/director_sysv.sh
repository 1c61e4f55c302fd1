#!/usr/bin/env bash
# `service lvs-director start|status|reload|stop` through the SysV script, inside a namespace:
# the daemon forks (no -n), writes its pid file, holds the VIP, reloads on HUP, and on stop
# removes the VIP before it exits (and runs omega's scripts).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lab/lab.sh"
. "$here/../lab/vrrp.sh"
: "${LVS_DIRECTOR:?path to lvs-director}"
SRC=${LVSD_SOURCE_DIR:-$here/../..}
VIP=10.77.0.100/24

backup=$(mktemp -d)
[ -e /etc/init.d/lvs-director ] && cp -a /etc/init.d/lvs-director "$backup/init"
[ -e /etc/default/lvs-director ] && cp -a /etc/default/lvs-director "$backup/default"
restore_etc() {
    rm -f /etc/init.d/lvs-director /etc/default/lvs-director
    [ -e "$backup/init" ] && cp -a "$backup/init" /etc/init.d/lvs-director
    [ -e "$backup/default" ] && cp -a "$backup/default" /etc/default/lvs-director
    rm -rf "$backup"
}
lab_init
trap 'rc=$?; restore_etc; (exit $rc); lab_teardown' EXIT
install -m 755 "$SRC/init/lvs-director" /etc/init.d/lvs-director
printf 'DAEMON=%s\nDAEMON_ARGS="-f %s"\nPIDFILE=%s\n' "$LVS_DIRECTOR" "$LAB_DIR/d.conf" \
    "$LAB_DIR/director.pid" >/etc/default/lvs-director

lab_node d1 10.77.0.1/24
vrrp_conf "$LAB_DIR/d.conf" 3 0.1 100 $VIP vrid=71
# omega: at shutdown the real servers still up run their notify_down, and the quorum its
# quorum_down (keepalived's meaning); the stop waits for them.
printf '#!/bin/sh\nsleep 0.3\necho "$1" >>%s\n' "$LAB_DIR/omega" >"$LAB_DIR/mark.sh"
chmod 755 "$LAB_DIR/mark.sh"
cat >>"$LAB_DIR/d.conf" <<C
virtual_server 10.77.0.100 80 {
    omega
    quorum_down "$LAB_DIR/mark.sh quorum_down"
    real_server 10.77.0.11 80 {
        notify_down "$LAB_DIR/mark.sh rs_down"
    }
}
C
lab_exec d1 service lvs-director status >/dev/null; rc=$?
check "status before start: 3" [ $rc = 3 ]
lab_exec d1 service lvs-director start; rc=$?
check "start: 0" [ $rc = 0 ]
check "pid file written by the forked daemon" lab_wait 3 test -s "$LAB_DIR/director.pid"
check "alone on the link, it takes the VIP" vrrp_wait_holder 3 $VIP d1 d1
lab_exec d1 service lvs-director status >/dev/null; rc=$?
check "status: 0" [ $rc = 0 ]
lab_exec d1 service lvs-director start; rc=$?
check "second start: 0, nothing changes" [ $rc = 0 ]
pid=$(cat "$LAB_DIR/director.pid")
lab_exec d1 service lvs-director reload; rc=$?
check "reload: 0" [ $rc = 0 ]
sleep 0.5
check "reload: same process, VIP kept" bash -c "kill -0 $pid && [ \"\$(cat $LAB_DIR/director.pid)\" = $pid ]"
check "reload: VIP kept" test "$(vrrp_holders $VIP d1)" = d1
# A broken file: reload refuses before signalling; the daemon keeps running.
cp "$LAB_DIR/d.conf" "$LAB_DIR/d.good"
echo "vrrp_instance X { virtual_router_id 300 }" >>"$LAB_DIR/d.conf"
lab_exec d1 service lvs-director reload >/dev/null 2>&1; rc=$?
check "reload with a broken file: 1" [ $rc = 1 ]
check "... and the daemon still runs with the VIP" bash -c "kill -0 $pid && [ \"\$(ip -n $(lab_ns d1) -o addr show to ${VIP%/*})\" ]"
cp "$LAB_DIR/d.good" "$LAB_DIR/d.conf"
lab_exec d1 service lvs-director stop; rc=$?
check "stop: 0" [ $rc = 0 ]
check "stop: VIP removed" test -z "$(vrrp_holders $VIP d1)"
check "stop: pid file removed" test ! -e "$LAB_DIR/director.pid"
check "stop: omega ran notify_down and quorum_down before the exit" \
    test "$(sort "$LAB_DIR/omega" 2>/dev/null | tr '\n' ' ')" = "quorum_down rs_down "
lab_exec d1 service lvs-director status >/dev/null; rc=$?
check "status after stop: 3" [ $rc = 3 ]
lab_finish
