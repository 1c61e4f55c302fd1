#!/usr/bin/env bash
# Drain benchmark: requests lost when one of two real servers is taken out of service under
# steady load through the VIP, the classic way against lvs-realserver's graceful stop.
#
# Lab (tests/lab/lab.sh): lb1 10.77.0.1 runs lvs-director (VRRPv3 master, VIP 10.77.0.100,
# lvs_dataplane nftables, DR, rr, TCP_CHECK with the classic recipe's settings: delay_loop 1,
# connect_timeout 1, keepalived's retry 1 / delay_before_retry 1) and takes readiness reports on
# port 7707; rs1 10.77.0.11 and rs2 10.77.0.12 each run a real nginx and `lvs-realserver run`
# (VIP on lo, ARP sysctls, reports to lb1); client 10.77.0.50 runs the load.
#
# Each run: --loops loops of `curl -m 2`, one request after the other, for --duration s (every
# request a new connection through the director, so new connections keep arriving at rs1 until
# the director stops sending them); after --stop-at s rs1 is taken out, then its nginx is stopped
# (the maintenance itself):
#   classic   the init-script steps: `lvs-realserver stop` with drain_timeout 0 removes the VIP
#             from lo and restores the sysctls at once; the director's TCP_CHECK notices later
#   graceful  `lvs-realserver stop`: reports drain, waits for lb1's acknowledgement and for the
#             connections to the VIP to end, then removes the VIP
#   none      nothing is stopped (the control: what the load loses by itself)
# Failed requests: curl's exit status is not 0 (refused, reset, no answer within 2 s) or the
# status is not 200, counted per request; each is listed by kind. Requests that succeeded but
# took more than 1 s (a SYN retransmitted) are counted apart.
# (wrk is not used: it does not count a connect stalled by a dropped SYN as an error, nor its
# time as latency, which hides exactly what the classic stop does.)
# Between runs rs1 is brought back (nginx, lvs-realserver run) and the bench waits until the
# director lists it at weight 1 again.
#
# Usage: bench/drain.sh [options]
#   --reps N          repetitions of each mode (3)
#   --duration S      seconds of load per run (8)
#   --stop-at S       when rs1 is taken out, seconds into the load (2)
#   --loops N         parallel request loops in the client (8)
#   --only LIST       comma-separated modes: none, classic, graceful (all)
#   --director PATH / --realserver PATH / --lvsctl PATH   binaries (build/...)
# Default run: about 2 minutes. Needs root, the built binaries, curl, nginx. Exit status 1 when a
# setup step failed or a graceful run lost a request.
set -u

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPS=3 DURATION=8 STOP_AT=2 LOOPS=8 ONLY=none,classic,graceful
LVS_DIRECTOR=${LVS_DIRECTOR:-$root/build/director/lvs-director}
LVS_REALSERVER=${LVS_REALSERVER:-$root/build/realserver/lvs-realserver}
LVSCTL=${LVSCTL:-$root/build/tools/lvsctl}
while [ $# -gt 0 ]; do
    case $1 in
    --reps) REPS=$2; shift ;; --duration) DURATION=$2; shift ;; --stop-at) STOP_AT=$2; shift ;;
    --loops) LOOPS=$2; shift ;;
    --only) ONLY=$2; shift ;; --director) LVS_DIRECTOR=$2; shift ;;
    --realserver) LVS_REALSERVER=$2; shift ;; --lvsctl) LVSCTL=$2; shift ;;
    -h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
source "$root/tests/lab/lab.sh"
source "$root/tests/lab/vrrp.sh"
source "$root/bench/lib.sh"
bench_require "$LVS_DIRECTOR" "$LVS_REALSERVER" "$LVSCTL" -- curl nginx
want() { [[ ",$ONLY," == *",$1,"* ]]; }

FAILS=0
bench_dr_lab # a new connection per request: the client's port room matters
key=$LAB_DIR/agent.key
head -c 32 /dev/urandom >"$key"
chmod 600 "$key"

# rs_conf NODE DRAIN_TIMEOUT: the node's realserver.conf.
rs_conf() {
    cat >"$LAB_DIR/$1-$2.conf" <<C
virtual_ipaddress {
    $VIP
}
service web {
    port 80
    http_get { path /healthz }
}
check_interval 0.5
report_to 10.77.0.1
report_key_file $key
report_host $1
drain_timeout $2
C
    echo "$LAB_DIR/$1-$2.conf"
}
# rs_up NODE DRAIN_TIMEOUT: nginx and `lvs-realserver run` on NODE; sets NGINX_<NODE>.
rs_up() {
    local pid
    pid=$(lab_nginx "$1" 80 "$1") || return 1
    printf -v "NGINX_$1" '%s' "$pid"
    lab_spawn "$1" "realserver-$1.$(date +%s.%N)" "$LVS_REALSERVER" --config "$(rs_conf "$1" "$2")" run >/dev/null
}
listing() { lab_exec lb1 "$LVSCTL" list 2>/dev/null; }
in_table_at() { listing | grep -q "$1:80 *Route *$2 "; }

rs_up rs2 10 || exit 1
rs_up rs1 10 || exit 1
conf=$LAB_DIR/lb1.conf
vrrp_conf "$conf" 3 1 100 $VIP/32 vrid=51 \
    "global=router_id BENCH_LB1;lvs_dataplane nftables;agent_report_port 7707;agent_key_file $key"
cat >>"$conf" <<C
virtual_server $VIP 80 {
    delay_loop 1
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server $RS1 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 1
        }
    }
    real_server $RS2 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
C
"$LVS_DIRECTOR" -t -f "$conf" || { echo "lvs-director -t refused $conf"; exit 1; }
vrrp_start_ours lb1 "$conf" >/dev/null
vrrp_wait_holder 10 $VIP/32 lb1 lb1 || { echo "lb1 never held the VIP"; exit 1; }
for rs in $RS1 $RS2; do
    lab_wait 10 in_table_at $rs 1 || { echo "$rs is not in the table at weight 1"; listing; exit 1; }
done
lab_wait 10 lab_exec client curl -sf --noproxy '*' -m 1 "http://$VIP/" >/dev/null ||
    { echo "the VIP does not answer"; exit 1; }
split=$(for ((i = 0; i < 20; i++)); do lab_exec client curl -s --noproxy '*' -m 1 "http://$VIP/" || echo FAIL; done | sort | uniq -c | tr -s ' \n' ' ')
echo "lvs-director: $LVS_DIRECTOR ($(grep -ho 'dataplane: [a-z]* on [a-z0-9]*' "$LAB_DIR"/director-lb1.*.log | head -1))"
echo "load:         $LOOPS loops of curl -m 2 ($(curl -V | head -1 | cut -d' ' -f1-2)), a new connection per request, ${DURATION} s per run, rs1 out at ${STOP_AT} s"
echo "host:         $(nproc) CPUs shared by client, director, both real servers; $(uname -r); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "VIP:          20 new connections answered by:$split"
[[ $split == *rs1* && $split == *rs2* && $split != *FAIL* ]] || { echo "FAIL: the VIP is not served by both real servers"; exit 1; }

# The load, run inside the client: LOOPS loops of one curl after the other until END_US (and at
# most 100000 each), every request a new connection; one line per request: "exit code time".
cat >"$LAB_DIR/load.sh" <<'LOAD'
vip=$1 end=$2 loops=$3 out=$4
for ((l = 0; l < loops; l++)); do
    (
        for ((i = 0; i < 100000 && ${EPOCHREALTIME/./} < end; i++)); do
            r=$(curl -s -o /dev/null --noproxy '*' -m 2 -w '%{http_code} %{time_total}' "http://$vip/")
            echo "$? $r"
        done >"$out.$l"
    ) &
done
wait
cat "$out".* >"$out"
rm -f "$out".*
LOAD

# run_once MODE REP: one loaded run; prints "requests failed detail stop_ms" (detail: no spaces).
run_once() {
    local mode=$1 rep=$2 out=$LAB_DIR/load-$1-$2.txt t0 t1 stop_ms=- end
    end=$(($(date +%s%6N) + DURATION * 1000000))
    lab_exec client bash "$LAB_DIR/load.sh" $VIP $end "$LOOPS" "$out" &
    local load=$!
    sleep "$STOP_AT"
    if [ "$mode" != none ]; then
        t0=$(date +%s%N)
        lab_exec rs1 "$LVS_REALSERVER" --config "$LAB_DIR/rs1-$([ "$mode" = classic ] && echo 0 || echo 10).conf" stop >/dev/null 2>&1
        t1=$(date +%s%N)
        stop_ms=$(((t1 - t0) / 1000000))
        lab_stop "$NGINX_rs1" # the maintenance: nginx goes
    fi
    wait $load
    # curl exit 28: no answer within 2 s; 7: refused; 52/56: the connection ended or was reset.
    awk -v stop="$stop_ms" '
        { n++ }
        $1 != 0 || $2 != 200 { f++; k[$1 != 0 ? "exit" $1 : "http" $2]++ }
        $1 == 0 && $3 > 1 { slow++ }
        END {
            d = ""; for (x in k) d = d (d == "" ? "" : ",") x "=" k[x]
            printf "%d %d %s %d %s\n", n, f, (d == "" ? "-" : d), slow, stop }' "$out"
}

# rs1 back: nginx and the agent (DRAIN_TIMEOUT as the next mode wants), listed at weight 1.
rs1_back() {
    local drain=$1
    if [ -n "${NGINX_rs1:-}" ] && kill -0 "$NGINX_rs1" 2>/dev/null; then
        lab_exec rs1 "$LVS_REALSERVER" --config "$LAB_DIR/rs1-10.conf" stop >/dev/null 2>&1
        lab_stop "$NGINX_rs1"
    fi
    rs_up rs1 "$drain" || return 1
    lab_wait 15 in_table_at $RS1 1 || { echo "rs1 did not come back at weight 1"; listing; return 1; }
    sleep 1 # the first report and a TCP_CHECK round behind us
}

declare -A total_req total_fail
modes=()
for m in none classic graceful; do want $m && modes+=("$m"); done
printf '%-9s %3s %9s %7s  %-26s %9s  %s\n' mode rep requests failed "failures by kind" "ok but >1s" "stop took (ms)"
for ((rep = 1; rep <= REPS; rep++)); do
    for m in "${modes[@]}"; do
        rs1_back "$([ "$m" = classic ] && echo 0 || echo 10)" || { FAILS=$((FAILS + 1)); break 2; }
        read -r req fail detail slow stop_ms < <(run_once "$m" "$rep")
        printf '%-9s %3d %9d %7d  %-26s %9d  %s\n' "$m" "$rep" "$req" "$fail" "$detail" "$slow" "$stop_ms"
        total_req[$m]=$((${total_req[$m]:-0} + req))
        total_fail[$m]=$((${total_fail[$m]:-0} + fail))
        [ "$m" = graceful ] && [ "$fail" != 0 ] && FAILS=$((FAILS + 1))
        [ "$req" -gt 0 ] || { echo "FAIL: no request was made (see $LAB_DIR/load-$m-$rep.txt)"; FAILS=$((FAILS + 1)); }
    done
done
# Both agents stop while the director still answers (a stop would otherwise drain for 10 s).
for rs in rs1 rs2; do lab_exec $rs "$LVS_REALSERVER" --config "$LAB_DIR/rs1-0.conf" stop >/dev/null 2>&1; done
echo
echo "total over $REPS run(s) each:"
for m in "${modes[@]}"; do
    printf '  %-9s %9d requests, %6d failed\n' "$m" "${total_req[$m]:-0}" "${total_fail[$m]:-0}"
done
grep -h "acknowledged by\|drained:\|drain_timeout" "$LAB_DIR"/realserver-rs1.*.log 2>/dev/null | sort | uniq -c | sed 's/^/  rs1 agent: /'
[ $FAILS = 0 ] || { echo "FAIL: $FAILS problem(s); logs in $LAB_DIR"; exit 1; }
exit 0
