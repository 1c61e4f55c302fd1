#!/usr/bin/env bash
# Failover benchmark: the service gap seen by a client when the VRRP master dies, for lvs-director
# and Debian's keepalived at the same settings, measured in the same run; plus a CPU-saturation
# check of the fast setting (no false failover while busy loops saturate every CPU).
#
# Lab (tests/lab/lab.sh): namespaces client 10.77.0.10, d1 10.77.0.1 (master, priority 100),
# d2 10.77.0.2 (backup, priority 50) on one bridge; VIP 10.77.0.100/32 on eth0. What serves: a
# real nginx on each director listening on 0.0.0.0:80 and answering its node name, so whichever
# director holds the VIP answers. The client runs curl against the VIP every --interval ms
# (300 ms timeout each, requests overlap). "nodedown": every process of d1 is SIGSTOPped, then
# SIGKILLed, and its eth0 taken down. Gap = largest distance between the start times of two
# consecutive successful probes (as in /work/shared/reference/lab/REPORT.md); its floor is the
# probe interval, and it moves in steps of the probe interval. "VIP move" = kill to the VIP appearing on d2 (timestamp of
# a real-time `ip -ts monitor address` in d2), the finer figure of the two.
#
# The kill's phase within the master's advert interval decides most of the gap (gap ~
# master_down_interval - phase). So that both implementations see the same phases, repetition i
# of N kills at (i - 1/2)/N of an advert interval after one of the master's adverts (the advert
# clock is anchored at the moment the VIP appeared on d1, from `ip -ts monitor address`). Each
# advert is scheduled from the moment the previous one went out, so the clock drifts from the
# anchor by the daemon's wake-up latency per advert: exact at advert_int 1 and 0.1, only roughly
# kept at 0.02 (the printed "kill phase" is relative to the anchor).
#
# Usage: bench/failover.sh [options]
#   --reps N            repetitions per implementation and setting (3)
#   --only LIST         comma-separated scenarios: v2, v3, fast, load (all)
#   --interval MS       probe interval for v2/v3 (20); --fast-interval MS for "fast" (10)
#   --fast-int S        advert_int of the fast setting (0.02, VRRPv3)
#   --rt N              vrrp_rt_priority of the fast setting (50)
#   --load-secs S       duration of each CPU-saturation run (20)
#   --load-per-cpu K    busy loops per CPU (2)
#   --load-ka           also run keepalived under load (with and without vrrp_rt_priority)
#   --probe-rt N        SCHED_RR priority of the probe (5; below the directors' --rt), so that its
#                       schedule and timestamps hold on a busy host; 0 = normal scheduling
#   --director PATH     lvs-director binary (build/director/lvs-director)
# Needs root, the built lvs-director, keepalived, nginx, curl. Exit status 1 when a failover did
# not happen or the fast setting with vrrp_rt_priority failed over falsely under load.
set -u # no pipefail: vrrp_holders pipes ip into grep -q, which may SIGPIPE ip

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPS=3 ONLY=v2,v3,fast,load INTERVAL=20 FAST_INTERVAL=10 FAST_INT=0.02 RT=50
LOAD_SECS=20 LOAD_PER_CPU=2 LOAD_KA=0 PROBE_RT=5
LVS_DIRECTOR=${LVS_DIRECTOR:-$root/build/director/lvs-director}
while [ $# -gt 0 ]; do
    case $1 in
    --reps) REPS=$2; shift ;; --only) ONLY=$2; shift ;; --interval) INTERVAL=$2; shift ;;
    --fast-interval) FAST_INTERVAL=$2; shift ;; --fast-int) FAST_INT=$2; shift ;;
    --rt) RT=$2; shift ;; --load-secs) LOAD_SECS=$2; shift ;;
    --load-per-cpu) LOAD_PER_CPU=$2; shift ;; --load-ka) LOAD_KA=1 ;;
    --director) LVS_DIRECTOR=$2; shift ;; --probe-rt) PROBE_RT=$2; shift ;;
    -h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 2; }
[ -x "$LVS_DIRECTOR" ] || { echo "no lvs-director at $LVS_DIRECTOR (build it first)" >&2; exit 2; }
for c in keepalived nginx curl; do
    command -v $c >/dev/null || { echo "$c is not installed" >&2; exit 2; }
done
want() { [[ ",$ONLY," == *",$1,"* ]]; }

source "$root/tests/lab/lab.sh"
source "$root/tests/lab/vrrp.sh"
export LVS_DIRECTOR

VIP=10.77.0.100/32
VIPA=${VIP%/*}
BENCH_FAILS=0
lab_init
lab_node client 10.77.0.10/24
lab_node d1 10.77.0.1/24
lab_node d2 10.77.0.2/24

# The probe, run inside the client namespace: COUNT requests, one every MS milliseconds on a
# fixed schedule, each a curl in the background (one fork+exec, nothing else, to keep the
# probe's own CPU use low); one line per request: start_us http_code served_by.
cat >"$LAB_DIR/probe.sh" <<'PROBE'
vip=$1 ms=$2 count=$3 out=$4
exec {sleeper}<> <(:)
step=$((ms * 1000))
next=${EPOCHREALTIME/./}
for ((i = 0; i < count; i++)); do
    curl -s -o /dev/null --noproxy '*' -m 0.3 -w "${EPOCHREALTIME/./} %{http_code} %header{x-served-by}\n" \
        "http://$vip/" >>"$out" 2>/dev/null &
    next=$((next + step))
    d=$((next - ${EPOCHREALTIME/./}))
    ((d > 0)) && read -r -t "$(printf '%d.%06d' $((d / 1000000)) $((d % 1000000)))" -u $sleeper
done
wait
PROBE

# bench_nginx NODE: nginx on 0.0.0.0:80 answering "NODE" with an X-Served-By header; prints PID.
bench_nginx() {
    local n=$1
    lab_nginx_run "$n" "$n" 80 1024 <<CONF
    server {
        listen 80;
        location / { add_header X-Served-By $n always; return 200 "$n\n"; }
    }
CONF
}

now_us() { echo "${EPOCHREALTIME/./}"; }
exec {SLEEPER}<> <(:) # read -t on it sleeps without a fork
sleep_until_us() {
    local d=$(($1 - ${EPOCHREALTIME/./})) t
    ((d > 0)) || return 0
    printf -v t '%d.%06d' $((d / 1000000)) $((d % 1000000))
    read -r -t "$t" -u $SLEEPER
    return 0
}
secs_to_us() { awk -v s="$1" 'BEGIN { printf "%d", s * 1000000 + 0.5 }'; }

# First time (µs) at which `ip -ts monitor address` in LOG saw the VIP added, at or after AFTER_US.
vip_added_us() {
    local log=$1 after=${2:-0} line ts us
    while read -r line; do
        [[ $line == \[* ]] || continue
        [[ $line == *Deleted* ]] && continue
        [[ $line == *"inet $VIPA/"* ]] || continue
        ts=${line#[}; ts=${ts%%]*}
        us=$(date -d "${ts/T/ }" +%s%6N) || continue
        [ "$us" -ge "$after" ] && { echo "$us"; return 0; }
    done <"$log"
    return 1
}

# start_impl ours|keepalived NODE CONF TAG: prints the PID; the log is $LAB_DIR/TAG-NODE.log.
start_impl() {
    local impl=$1 n=$2 conf=$3 tag=$4 r="$LAB_DIR/ka-$2"
    if [ "$impl" = ours ]; then
        lab_spawn "$n" "$tag-$n" "$LVS_DIRECTOR" -n -l -f "$conf"
    else
        rm -f "$r".*pid
        lab_spawn "$n" "$tag-$n" keepalived -P -n -l -D -G -f "$conf" \
            -p "$r.pid" -r "$r.vrrp.pid" -c "$r.check.pid" -b "$r.bfd.pid"
    fi
}

# A dead director: every process in the namespace SIGKILLed (by PID), then its link down.
#   node_down NODE PID...   (the PIDs listed beforehand, `ip netns pids` takes a while)
# SIGSTOP first: keepalived's VRRP child would otherwise see its parent die and send a
# priority-0 advert (a clean stop) in the microseconds before its own SIGKILL.
node_down() {
    local n=$1 pid; shift
    for pid in "$@"; do kill -STOP "$pid" 2>/dev/null; done
    for pid in "$@"; do kill -KILL "$pid" 2>/dev/null; done
    for pid in $(ip netns pids "$(lab_ns "$n")"); do kill -KILL "$pid" 2>/dev/null; done
    rm -f "$LAB_DIR/ka-$n".*pid
    lab_exec "$n" ip link set eth0 down
}

# Alive and not a zombie (processes started in $(...) are nobody's child here; their zombies
# wait for init, and kill -0 would take them for alive).
alive() { local st; st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) && [ "$st" != Z ]; }

# stop_pids PID...: SIGTERM, up to 3 s to exit, then SIGKILL.
stop_pids() {
    local pid i left
    for pid in "$@"; do kill -TERM "$pid" 2>/dev/null; done
    for ((i = 0; i < 60; i++)); do
        left=0
        for pid in "$@"; do alive "$pid" && left=1; done
        [ $left = 0 ] && return 0
        sleep 0.05
    done
    for pid in "$@"; do kill -KILL "$pid" 2>/dev/null; done
}

# Both directors back to a clean slate: nothing running but d2's nginx, link up, no VIP.
reset_nodes() {
    local n pid pids=()
    for n in d1 d2; do
        for pid in $(ip netns pids "$(lab_ns "$n")"); do
            [ "$n" = d2 ] && [ "$pid" = "${NGINX_D2:-}" ] && continue
            [ "$n" = d2 ] && [ "$(ps -o ppid= -p "$pid" | tr -d ' ')" = "${NGINX_D2:-}" ] && continue
            pids+=("$pid")
        done
    done
    [ ${#pids[@]} = 0 ] || stop_pids "${pids[@]}"
    for n in d1 d2; do vrrp_revive_node "$n" "$VIP"; done
    rm -f "$LAB_DIR"/ka-d?.*pid
    lab_exec client ip neigh flush dev eth0
}

# one_rep IMPL VERSION ADVERT_INT PHASE PROBE_MS TAG [GLOBALS]
# Prints: gap_ms failed served_by_d1 served_by_d2 vip_move_ms phase_measured   (or "FAIL why")
one_rep() {
    local impl=$1 ver=$2 int=$3 phase=$4 ms=$5 tag=$6 globals=${7:-}
    local a_us p1 p2 tm t0 tk t_kill m count pre_us post_us pp moved
    a_us=$(secs_to_us "$int")
    reset_nodes
    bench_nginx d1 >/dev/null || { echo "FAIL nginx"; return; }
    # Real-time, so that their timestamps are not late on a busy host.
    lab_spawn d1 "$tag-mon-d1" chrt -r 10 ip -ts monitor address >/dev/null
    lab_spawn d2 "$tag-mon-d2" chrt -r 10 ip -ts monitor address >/dev/null
    sleep 0.1
    vrrp_conf "$LAB_DIR/$tag-d1.conf" "$ver" "$int" 100 $VIP vrid=51 "global=$globals"
    vrrp_conf "$LAB_DIR/$tag-d2.conf" "$ver" "$int" 50 $VIP vrid=51 "global=$globals"
    p2=$(start_impl "$impl" d2 "$LAB_DIR/$tag-d2.conf" "$tag")
    p1=$(start_impl "$impl" d1 "$LAB_DIR/$tag-d1.conf" "$tag")
    vrrp_wait_holder $((a_us * 5 / 1000000 + 6)) $VIP d1 d1 d2 2>/dev/null ||
        { echo "FAIL d1 never held the VIP alone"; return; }
    lab_wait 2 vip_added_us "$LAB_DIR/$tag-mon-d1.log" || { echo "FAIL no monitor event"; return; }
    tm=$(vip_added_us "$LAB_DIR/$tag-mon-d1.log")
    lab_wait 3 lab_exec client curl -s --noproxy '*' -m 0.3 "http://$VIPA/" ||
        { echo "FAIL VIP does not answer"; return; }
    # Probe window: 0.5 s before the kill (plus up to one interval of phase alignment), and
    # master_down_interval + 1 s after it.
    pre_us=500000
    post_us=$((4 * a_us + 1000000))
    count=$(((pre_us + a_us + post_us) / (ms * 1000)))
    : >"$LAB_DIR/$tag-probe.out"
    lab_spawn client "$tag-probe" chrt $([ "$PROBE_RT" -gt 0 ] && echo "-r $PROBE_RT" || echo "-o 0") bash "$LAB_DIR/probe.sh" "$VIPA" "$ms" "$count" \
        "$LAB_DIR/$tag-probe.out" >"$LAB_DIR/$tag-probe.pid"
    pp=$(<"$LAB_DIR/$tag-probe.pid")
    t0=$(now_us)
    # The first kill time at the wanted phase after t0 + pre.
    local off=$(secs_to_us "$(awk -v p="$phase" -v a="$a_us" 'BEGIN { print p * a / 1e6 }')")
    m=$(((t0 + pre_us - tm - off + a_us - 1) / a_us))
    tk=$((tm + m * a_us + off))
    # The kill itself runs real-time so that it lands at the wanted phase on a busy host.
    local victims; victims=$(ip netns pids "$(lab_ns d1)")
    chrt -r -p 10 $$ >/dev/null
    sleep_until_us "$tk"
    t_kill=${EPOCHREALTIME/./}
    node_down d1 $victims
    chrt -o -p 0 $$ >/dev/null
    vrrp_wait_holder $((a_us * 5 / 1000000 + 3)) $VIP d2 d2 2>/dev/null || moved=no
    local deadline=$((t0 + count * ms * 1000 + 3000000))
    while kill -0 "$pp" 2>/dev/null && [ "$(now_us)" -lt $deadline ]; do sleep 0.1; done
    lab_stop "$pp"
    sleep 0.35 # the last requests' timeouts
    local move=-1 added
    added=$(vip_added_us "$LAB_DIR/$tag-mon-d2.log" "$t_kill") && move=$(((added - t_kill) / 1000))
    [ "${moved:-}" = no ] && { echo "FAIL VIP never moved to d2"; return; }
    sort -n "$LAB_DIR/$tag-probe.out" | awk -v tk="$t_kill" -v move="$move" \
        -v ph="$(awk -v tk="$t_kill" -v tm="$tm" -v a="$a_us" 'BEGIN { printf "%.2f", ((tk - tm) % a) / a }')" '
        $2 == 200 && ($3 == "d1" || $3 == "d2") {
            if (prev && $1 - prev > gap) gap = $1 - prev
            prev = $1; served[$3]++; if ($1 > tk) after++; next
        }
        { failed++ }
        END {
            if (!after) { print "FAIL no successful probe after the kill"; exit }
            printf "%.1f %d %d %d %d %s\n", gap / 1000, failed, served["d1"], served["d2"], move, ph
        }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
mmm() { # "min / median / max" of the numbers on stdin
    local all; all=$(sort -g)
    [ -n "$all" ] || { echo "n/a"; return; }
    printf '%s / %s / %s' "$(head -1 <<<"$all")" "$(median <<<"$all")" "$(tail -1 <<<"$all")"
}

# scenario LABEL VERSION ADVERT_INT PROBE_MS GLOBALS IMPL...: REPS repetitions, implementations
# interleaved, same phases for each. Sets RESULT_<impl> to the medians.
declare -A GAPS MOVES MEDIAN MMOVE
scenario() {
    local label=$1 ver=$2 int=$3 ms=$4 globals=$5; shift 5
    local impls=("$@") i impl phase r tag
    echo
    echo "== nodedown, $label: VRRPv$ver advert_int $int${globals:+, global_defs: ${globals//;/, }}; master 100, backup 50; probe every $ms ms =="
    for impl in "${impls[@]}"; do GAPS[$impl]=""; MOVES[$impl]=""; done
    for ((i = 1; i <= REPS; i++)); do
        phase=$(awk -v i=$i -v n=$REPS 'BEGIN { printf "%.3f", (i - 0.5) / n }')
        local order=("${impls[@]}")
        ((i % 2 == 0)) && [ ${#impls[@]} = 2 ] && order=("${impls[1]}" "${impls[0]}")
        for impl in "${order[@]}"; do
            tag="v$ver-$int-$impl-$i"
            r=$(one_rep "$impl" "$ver" "$int" "$phase" "$ms" "$tag" "$globals")
            if [[ $r == FAIL* ]]; then
                printf '  rep %d  %-10s  %s\n' $i "$impl" "$r"
                BENCH_FAILS=$((BENCH_FAILS + 1))
                continue
            fi
            read -r gap failed s1 s2 move ph <<<"$r"
            printf '  rep %d  %-10s  gap %7.1f ms  failed probes %3d  answered by d1/d2 %d/%d  VIP on d2 after %5d ms  kill phase %s\n' \
                $i "$impl" "$gap" "$failed" "$s1" "$s2" "$move" "$ph"
            GAPS[$impl]+="$gap"$'\n'
            [ "$move" -ge 0 ] && MOVES[$impl]+="$move"$'\n'
        done
    done
    reset_nodes
    for impl in "${impls[@]}"; do
        printf '  %-10s gap min / median / max: %s ms\n' "$impl" "$(printf '%s' "${GAPS[$impl]}" | mmm)"
        printf '  %-10s VIP move min / median / max: %s ms\n' "$impl" "$(printf '%s' "${MOVES[$impl]}" | mmm)"
        MEDIAN[$label-$impl]=$(printf '%s' "${GAPS[$impl]}" | median)
        MMOVE[$label-$impl]=$(printf '%s' "${MOVES[$impl]}" | median)
    done
    if [ ${#impls[@]} = 2 ] && [ -n "${MEDIAN[$label-ours]}" ] && [ -n "${MEDIAN[$label-keepalived]}" ]; then
        printf '  ratio ours/keepalived, median gap: %s (target <= 1.0); median VIP move: %s\n' \
            "$(awk -v o="${MEDIAN[$label-ours]}" -v k="${MEDIAN[$label-keepalived]}" 'BEGIN { printf "%.3f", o / k }')" \
            "$(awk -v o="${MMOVE[$label-ours]:-0}" -v k="${MMOVE[$label-keepalived]:-0}" 'BEGIN { if (k > 0) printf "%.3f", o / k; else print "n/a" }')"
    fi
}

cpu_times() { awk '/^cpu / { print $2 + $3 + $4 + $6 + $7 + $8, $5 }' /proc/stat; } # busy idle
policy_of() {
    case $(awk '/^policy/ { print $3 }' "/proc/$1/sched" 2>/dev/null) in
    0) echo SCHED_OTHER ;; 1) echo SCHED_FIFO ;; 2) echo SCHED_RR ;; *) echo unknown ;;
    esac
}

# load_check IMPL GLOBALS LABEL: the fast setting while busy loops saturate every CPU. Prints the
# result; returns 0 when the backup never became master and only d1 held the VIP throughout.
load_check() {
    local impl=$1 globals=$2 label=$3
    local tag="load-$impl-${4:-x}"
    local p1 p2 n busy=() i pid bad=0 samples=0 b0 i0 b1 i1 end h
    reset_nodes
    vrrp_conf "$LAB_DIR/$tag-d1.conf" 3 "$FAST_INT" 100 $VIP vrid=61 "global=$globals"
    vrrp_conf "$LAB_DIR/$tag-d2.conf" 3 "$FAST_INT" 50 $VIP vrid=61 "global=$globals"
    p2=$(start_impl "$impl" d2 "$LAB_DIR/$tag-d2.conf" "$tag")
    p1=$(start_impl "$impl" d1 "$LAB_DIR/$tag-d1.conf" "$tag")
    if ! vrrp_wait_holder 6 $VIP d1 d1 d2 2>/dev/null; then
        printf '  %-40s FAIL: d1 never held the VIP alone\n' "$label"
        return 1
    fi
    sleep 1
    local pol1 pol2
    if [ "$impl" = ours ]; then pol1=$(policy_of "$p1"); pol2=$(policy_of "$p2"); else
        # keepalived's VRRP child does the work
        pol1=$(policy_of "$(cat "$LAB_DIR/ka-d1.vrrp.pid" 2>/dev/null)")
        pol2=$(policy_of "$(cat "$LAB_DIR/ka-d2.vrrp.pid" 2>/dev/null)")
    fi
    local m2_before; m2_before=$(grep -c "Entering MASTER STATE" "$LAB_DIR/$tag-d2.log")
    n=$(($(nproc) * LOAD_PER_CPU))
    read -r b0 i0 < <(cpu_times)
    for ((i = 0; i < n; i++)); do
        busy+=("$(lab_spawn sw "$tag-busy$i" timeout $((LOAD_SECS + 10)) nice -n 0 bash -c 'while :; do :; done')")
    done
    end=$(($(now_us) + LOAD_SECS * 1000000))
    for ((i = 0; i < LOAD_SECS * 4 && $(now_us) < end; i++)); do
        h=$(vrrp_holders $VIP d1 d2)
        samples=$((samples + 1))
        [ "$h" = d1 ] || { bad=$((bad + 1)); echo "$(now_us) holders '$h'" >>"$LAB_DIR/$tag-samples.log"; }
        sleep 0.25
    done
    read -r b1 i1 < <(cpu_times)
    stop_pids "${busy[@]}"
    sleep 0.5
    local m2 b1d d1_backups
    m2=$(($(grep -c "Entering MASTER STATE" "$LAB_DIR/$tag-d2.log") - m2_before))
    d1_backups=$(grep -c "Entering BACKUP STATE" "$LAB_DIR/$tag-d1.log")
    # d1 starts in BACKUP once; any further BACKUP entry is a lost mastership.
    d1_backups=$((d1_backups > 0 ? d1_backups - 1 : 0))
    local busy_pct; busy_pct=$(awk -v b=$((b1 - b0)) -v i=$((i1 - i0)) 'BEGIN { printf "%.0f", 100 * b / (b + i) }')
    printf '  %-44s CPU busy %3s%% (%d busy loops, %d s)  scheduling d1/d2 %s/%s  backup->MASTER %d  master->BACKUP %d  VIP samples not only on d1: %d/%d\n' \
        "$label" "$busy_pct" "$n" "$LOAD_SECS" "$pol1" "$pol2" "$m2" "$d1_backups" "$bad" "$samples"
    reset_nodes
    [ "$m2" = 0 ] && [ "$d1_backups" = 0 ] && [ "$bad" = 0 ]
}

echo "lvs-director: $LVS_DIRECTOR"
echo "keepalived:   $(keepalived -v 2>&1 | head -1)"
echo "host:         $(nproc) CPUs, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "what serves:  nginx on each director, listening on 0.0.0.0:80 and answering its node name (d1/d2);"
echo "              the client (netns) curls http://$VIPA/, so whichever director holds the VIP answers"
echo "probe:        one curl per interval, 300 ms timeout, requests overlap; gap = largest distance between"
echo "              start times of consecutive successful probes (floor = probe interval)"
echo "nodedown:     every process on d1 (director, nginx) SIGSTOPped then SIGKILLed by PID, then d1's eth0 down;"
echo "              rep i of $REPS kills at phase (i-0.5)/$REPS of an advert interval, the same for both"

NGINX_D2=$(bench_nginx d2) || { echo "nginx failed to start"; exit 1; }
FAST_GLOBALS="vrrp_rt_priority $RT;vrrp_no_swap"
want v2 && scenario "v2" 2 1 "$INTERVAL" "" ours keepalived
want v3 && scenario "v3" 3 0.1 "$INTERVAL" "" ours keepalived
want fast && scenario "fast" 3 "$FAST_INT" "$FAST_INTERVAL" "$FAST_GLOBALS" ours keepalived
if want fast && [ -n "${MEDIAN[fast-ours]:-}" ]; then
    awk -v g="${MEDIAN[fast-ours]}" 'BEGIN { printf "  fast setting of ours: median gap %s ms (target <= 100 ms): %s\n", g, (g <= 100 ? "met" : "NOT met") }'
fi
if want load; then
    echo
    echo "== CPU saturation: VRRPv3 advert_int $FAST_INT, master 100 / backup 50, both directors of one kind =="
    if load_check ours "$FAST_GLOBALS" "ours, vrrp_rt_priority $RT + vrrp_no_swap" rt; then
        echo "  -> ours with vrrp_rt_priority: no false failover (pass)"
    else
        echo "  -> ours with vrrp_rt_priority: FALSE FAILOVER (fail)"
        BENCH_FAILS=$((BENCH_FAILS + 1))
    fi
    load_check ours "" "ours, normal scheduling (informational)" plain ||
        echo "  -> ours without vrrp_rt_priority: false failovers under load (informational)"
    if [ "$LOAD_KA" = 1 ]; then
        load_check keepalived "$FAST_GLOBALS" "keepalived, vrrp_rt_priority $RT (informational)" rt ||
            echo "  -> keepalived with vrrp_rt_priority: false failovers under load (informational)"
        load_check keepalived "" "keepalived, normal scheduling (informational)" plain ||
            echo "  -> keepalived without vrrp_rt_priority: false failovers under load (informational)"
    fi
fi
echo
[ $BENCH_FAILS = 0 ] && echo "done" || echo "$BENCH_FAILS failure(s)"
[ $BENCH_FAILS = 0 ]
