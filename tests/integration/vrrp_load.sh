#!/bin/bash
# Timers under load: two lvs-directors as a VRRPv3 pair at the fast setting (advert_int 0.02,
# master_down_interval 76 ms) with vrrp_rt_priority, while busy loops saturate every CPU for
# LOAD_SECS (20) seconds. Pass: the backup never enters MASTER, the master never falls back to
# BACKUP, and the VIP stays on the master alone in every sample. The same run without
# vrrp_rt_priority is informational only (logged, never a failure).
set -u
source "$LVSD_SOURCE_DIR/tests/lab/lab.sh"
source "$LVSD_SOURCE_DIR/tests/lab/vrrp.sh"
: "${LVS_DIRECTOR:?}"

LOAD_SECS=${LOAD_SECS:-20}
PER_CPU=${LOAD_PER_CPU:-2}
INT=0.02
VIP=10.77.0.100/32

lab_init
lab_node d1 10.77.0.1/24
lab_node d2 10.77.0.2/24

# stop_pids SIGNAL PID...: signal, then up to 3 s for them to end. Processes started in $(...)
# are nobody's child here, so a dead one stays a zombie until init reaps it: that counts as gone.
stop_pids() {
    local sig=$1 pid i left st; shift
    for pid in "$@"; do kill -"$sig" "$pid" 2>/dev/null; done
    for ((i = 0; i < 60; i++)); do
        left=0
        for pid in "$@"; do
            st=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) && [ "$st" != Z ] && left=1
        done
        [ $left = 0 ] && return 0
        sleep 0.05
    done
    for pid in "$@"; do kill -KILL "$pid" 2>/dev/null; done
}

adverts_sent() {
    vrrp_stats d1 "$1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["vrrp_instances"][0]["adverts_sent"])' 2>/dev/null || echo 0
}

newest_log() { ls -t "$LAB_DIR"/director-"$1".*.log | head -1; }
cpu_times() { awk '/^cpu / { print $2 + $3 + $4 + $6 + $7 + $8, $5 }' /proc/stat; } # busy idle
policy() { awk '/^policy/ { print $3 }' "/proc/$1/sched" 2>/dev/null; }              # 2 = SCHED_RR

# under_load LABEL GLOBALS: sets P1 P2 (PIDs), LOG1 LOG2, BUSY_PCT, TO_MASTER (backup entered
# MASTER), TO_BACKUP (master fell back), BAD/SAMPLES (samples with the VIP not on d1 alone).
under_load() {
    local label=$1 globals=$2 vrid=$3 busy=() i b0 i0 b1 i1 end h
    vrrp_conf "$LAB_DIR/$vrid-d1.conf" 3 $INT 100 $VIP vrid=$vrid "global=$globals"
    vrrp_conf "$LAB_DIR/$vrid-d2.conf" 3 $INT 50 $VIP vrid=$vrid "global=$globals"
    P2=$(vrrp_start_ours d2 "$LAB_DIR/$vrid-d2.conf")
    P1=$(vrrp_start_ours d1 "$LAB_DIR/$vrid-d1.conf")
    LOG1=$(newest_log d1) LOG2=$(newest_log d2)
    check "$label: converges with the VIP on d1 only" vrrp_wait_holder 5 $VIP d1 d1 d2
    sleep 1
    local m0 b0_
    m0=$(grep -c "Entering MASTER STATE" "$LOG2")
    b0_=$(grep -c "Entering BACKUP STATE" "$LOG1")
    local sent0 sent1
    sent0=$(adverts_sent "$P1")
    read -r b0 i0 < <(cpu_times)
    for ((i = 0; i < $(nproc) * PER_CPU; i++)); do
        # timeout bounds each loop even if teardown never ran; teardown stops them by PID.
        busy+=("$(lab_spawn d2 "busy-$vrid-$i" timeout $((LOAD_SECS + 10)) nice -n 0 bash -c 'while :; do :; done')")
    done
    SAMPLES=0 BAD=0
    end=$((${EPOCHREALTIME/./} + LOAD_SECS * 1000000))
    for ((i = 0; i < LOAD_SECS * 4 && ${EPOCHREALTIME/./} < end; i++)); do
        h=$(vrrp_holders $VIP d1 d2)
        SAMPLES=$((SAMPLES + 1))
        [ "$h" = d1 ] || { BAD=$((BAD + 1)); lab_log "$label: VIP held by '$h'"; }
        sleep 0.25
    done
    read -r b1 i1 < <(cpu_times)
    sent1=$(adverts_sent "$P1")
    stop_pids KILL "${busy[@]}"
    sleep 0.5
    BUSY_PCT=$(awk -v b=$((b1 - b0)) -v i=$((i1 - i0)) 'BEGIN { printf "%.0f", 100 * b / (b + i) }')
    TO_MASTER=$(($(grep -c "Entering MASTER STATE" "$LOG2") - m0))
    TO_BACKUP=$(($(grep -c "Entering BACKUP STATE" "$LOG1") - b0_))
    lab_log "$label: CPU ${BUSY_PCT}% busy for ${LOAD_SECS} s ($(($(nproc) * PER_CPU)) busy loops);" \
        "backup->MASTER $TO_MASTER, master->BACKUP $TO_BACKUP, VIP not on d1 alone in $BAD/$SAMPLES samples;" \
        "d1 sent $((sent1 - sent0)) adverts under load (one per ${INT} s would be $(awk -v s=$LOAD_SECS -v i=$INT 'BEGIN { print int(s / i) }') in ${LOAD_SECS} s)"
}

stop_pair() {
    stop_pids TERM "$P1" "$P2"
    lab_exec d1 ip addr del $VIP dev eth0 2>/dev/null
    lab_exec d2 ip addr del $VIP dev eth0 2>/dev/null
    true
}

under_load "vrrp_rt_priority" "vrrp_rt_priority 50;vrrp_no_swap" 71
check "vrrp_rt_priority: both directors run SCHED_RR" \
    test "$(policy "$P1")/$(policy "$P2")" = 2/2
check "vrrp_rt_priority: the CPUs were saturated (>= 90% busy)" test "$BUSY_PCT" -ge 90
check "vrrp_rt_priority: the backup never entered MASTER" test "$TO_MASTER" = 0
check "vrrp_rt_priority: the master never fell back to BACKUP" test "$TO_BACKUP" = 0
check "vrrp_rt_priority: the VIP stayed on d1 alone ($SAMPLES samples)" test "$BAD" = 0
stop_pair

# Informational: normal scheduling under the same load.
under_load "normal scheduling" "" 72
if [ "$TO_MASTER" = 0 ] && [ "$TO_BACKUP" = 0 ] && [ "$BAD" = 0 ]; then
    echo "info normal scheduling: no false failover under load either"
else
    echo "info normal scheduling: false failovers under load" \
        "(backup->MASTER $TO_MASTER, master->BACKUP $TO_BACKUP, VIP samples $BAD/$SAMPLES)"
fi
stop_pair

lab_finish
