#!/bin/bash
# lvs-director and Debian's keepalived as one VRRP pair on the namespace lab: each in each role,
# VRRPv2 multicast with PASS authentication, VRRPv3 multicast at advert_int 0.1, VRRPv3 unicast,
# nopreempt, and the priority-0 handover on a clean stop. After convergence exactly one node
# holds the VIP; a dead master (SIGKILL, link down) moves it; preemption follows the config.
set -u
source "$LVSD_SOURCE_DIR/tests/lab/lab.sh"
source "$LVSD_SOURCE_DIR/tests/lab/vrrp.sh"
: "${LVS_DIRECTOR:?}"
command -v keepalived >/dev/null || { echo "keepalived not installed"; exit 77; }

lab_init
lab_node ours 10.77.0.1/24
lab_node ka 10.77.0.2/24
VIP=10.77.0.100/32

# ours is master and has dropped no advert of keepalived's; prints the stats when not.
stats_clean() {
    local stats
    stats=$(vrrp_stats ours "$1")
    python3 -c 'import json, sys
s = json.loads(sys.argv[1])["vrrp_instances"][0]
sys.exit(not (s["state"].lower() == "master" and s["dropped_total"] == 0 and s["adverts_received"] > 0))' \
        "$stats" || { echo "$stats" >&2; return 1; }
}

# Who is master first depends on the priorities; "dies" = SIGKILL plus link down.
#   pair LABEL VERSION INT OURS_PRIO KA_PRIO VRID [vrrp_conf keys...]
pair() {
    [[ "$1" == *"${ONLY:-}"* ]] || return 0
    local label=$1 ver=$2 int=$3 p_ours=$4 p_ka=$5 vrid=$6; shift 6
    local wait=$([ "$ver" = 2 ] && echo 10 || echo 3)
    local hi lo hi_pid
    local uo=() uk=()
    if [ "${1:-}" = unicast ]; then
        shift
        uo=(src=10.77.0.1 peers=10.77.0.2)
        uk=(src=10.77.0.2 peers=10.77.0.1)
    fi
    vrrp_conf "$LAB_DIR/ours.conf" "$ver" "$int" "$p_ours" $VIP vrid=$vrid "${uo[@]}" "$@"
    vrrp_conf "$LAB_DIR/ka.conf" "$ver" "$int" "$p_ka" $VIP vrid=$vrid "${uk[@]}" "$@"
    local po pk
    po=$(vrrp_start_ours ours "$LAB_DIR/ours.conf")
    pk=$(vrrp_start_keepalived ka "$LAB_DIR/ka.conf")
    if [ "$p_ours" -gt "$p_ka" ]; then hi=ours lo=ka; else hi=ka lo=ours; fi
    check "$label: converges with the VIP on $hi only" vrrp_wait_holder $wait $VIP $hi ours ka
    # Stay converged for a few adverts: no flapping.
    sleep "$([ "$ver" = 2 ] && echo 2.5 || echo 0.5)"
    check "$label: still only $hi" test "$(vrrp_holders $VIP ours ka)" = $hi
    if [ $hi = ours ]; then hi_pid=$po; else hi_pid=$pk; fi
    vrrp_kill_node $hi $hi_pid
    # The dead node keeps a stale VIP (SIGKILL) on a down link; only the live one counts.
    check "$label: $hi dies, $lo takes the VIP" vrrp_wait_holder $wait $VIP $lo $lo
    vrrp_revive_node $hi $VIP
    if [ $hi = ours ]; then
        po=$(vrrp_start_ours ours "$LAB_DIR/ours.conf")
    else
        pk=$(vrrp_start_keepalived ka "$LAB_DIR/ka.conf")
    fi
    check "$label: $hi back, preempts" vrrp_wait_holder $((wait + 2)) $VIP $hi ours ka
    if [ $hi = ours ]; then
        check "$label: ours accepted keepalived's adverts, dropped none" stats_clean $po
    fi
    lab_stop $po
    lab_stop $pk
    lab_exec ours ip addr del $VIP dev eth0 2>/dev/null
    lab_exec ka ip addr del $VIP dev eth0 2>/dev/null
    true
}

pair "v2 multicast, ours master" 2 1 100 50 51 auth=s3cret
pair "v2 multicast, keepalived master" 2 1 50 100 52 auth=s3cret
pair "v3 0.1 s multicast, ours master" 3 0.1 100 50 53
pair "v3 0.1 s multicast, keepalived master" 3 0.1 50 100 54
pair "v3 unicast, ours master" 3 0.1 100 50 55 unicast
pair "v3 unicast, keepalived master" 3 0.1 50 100 56 unicast
pair "v2 unicast, ours master" 2 1 100 50 58 unicast

# nopreempt: keepalived (50) is master; ours (100, nopreempt) joins and stays backup.
vrrp_conf "$LAB_DIR/ka.conf" 3 0.1 50 $VIP vrid=57
vrrp_conf "$LAB_DIR/ours.conf" 3 0.1 100 $VIP vrid=57 preempt=no
pk=$(vrrp_start_keepalived ka "$LAB_DIR/ka.conf")
check "nopreempt: keepalived alone takes the VIP" vrrp_wait_holder 3 $VIP ka ours ka
po=$(vrrp_start_ours ours "$LAB_DIR/ours.conf")
sleep 1.5
check "nopreempt: ours (higher priority, nopreempt) leaves it there" \
    test "$(vrrp_holders $VIP ours ka)" = ka
# Clean stop of keepalived: its priority-0 advert hands over after Skew_Time, not 3 intervals.
t0=$(date +%s%N)
kill -TERM $pk
check "keepalived stops cleanly: ours takes over" vrrp_wait_holder 2 $VIP ours ours ka
t1=$(date +%s%N)
lab_stop $pk
lab_log "handover after keepalived's priority-0 advert: $(((t1 - t0) / 1000000)) ms"
pk=$(vrrp_start_keepalived ka "$LAB_DIR/ka.conf")
sleep 1
check "keepalived (50) rejoins as backup" test "$(vrrp_holders $VIP ours ka)" = ours
# Clean stop of ours: keepalived takes over on our priority-0 advert.
t0=$(date +%s%N)
kill -TERM $po
check "ours stops cleanly: keepalived takes over" vrrp_wait_holder 2 $VIP ka ours ka
t1=$(date +%s%N)
lab_stop $po
lab_log "handover after our priority-0 advert: $(((t1 - t0) / 1000000)) ms"
check "ours removed the VIP on stop" test -z "$(lab_exec ours ip -o addr show to ${VIP%/*})"

lab_finish
