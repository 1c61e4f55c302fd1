#!/usr/bin/env bash
# CPU of the health checkers: 10,000 real servers (4 namespaces, one nginx each listening on
# 2,500 ports; with --dr on 2,500 addresses) checked with TCP_CHECK (or HTTP_GET) at
# delay_loop 1 by tests/tools/check_run, which runs CheckerSet exactly as the director will.
# Prints the driver's CPU over a window, as a percentage of one core (issue 6 target: under
# 25 %), and how many checks failed.
#
# Where the kernel work lands: a veth pair hands each packet to its peer synchronously, in the
# sender's context, so a plain lab would charge the real servers' half of every handshake to
# the checker. Here both veth ends facing the director run threaded NAPI (GRO on, TSO off, as
# veth needs for it): packets the director sends are processed on the far side in the lab's
# thread, and packets it receives in a thread of its own, printed on its own line: on a real
# director that is the NIC's receive softirq, which top shows as %si, not as lvs-director's.
# A pfifo queue on both ends stands for a NIC's transmit queue: without one a full veth ring
# drops packets, and the checks that lose them fail. The driver runs alone on CPU 0; the nginx,
# the lab's NAPI thread and the director's receive thread on CPU 1 (other hosts, another core).
#
# Usage (root): bench/checks.sh [--director] [--dr] [--reps N] [tcp|http] [REAL_SERVERS] [SECONDS]
#        (defaults: tcp, 10000, 20; build tree: $BUILD or build/)
#        --reps N: N windows one after the other on the same lab, each printed, then the
#        median. Windows of one run agree closely, runs differ by several points (the lab as
#        set up that time, or the host), so compare builds over several runs, in alternation
#        --director: the measured process is lvs-director itself rather than check_run: the
#        same checks, plus its dataplane (nftables here, NAT, with conntrack in its namespace)
#        --dr: the recipe's shape: lb_kind DR, each real server an address of its own on port
#        80 (a node takes its 2,500 as one local route, nginx listens once). The nftables DR
#        dataplane is stateless: no conntrack in the director's namespace, as with IPVS
#        bench/checks.sh --peer [options]: ours against keepalived's checker in the IPVS guest
#        (bench/checks_peer.sh; keepalived's checker needs IPVS, which this host lacks)
#        --ab BUILD_A BUILD_B: two check_run builds at once on one lab, on CPU 0 together, each
#        checking half the real servers, then the halves swapped: the host's load, which moves
#        a lone figure by several points from one hour to the next, weighs on both alike, and
#        the two agree within a few tenths when they are the same build. Prints both per
#        window and the median of A - B. Options after --ab as above (not --director)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ "${1:-}" = --peer ] && { shift; exec "$root/bench/checks_peer.sh" "$@"; }
driver=check_run
ab=()
[ "${1:-}" = --ab ] && { ab=("${2:?usage: --ab BUILD_A BUILD_B}" "${3:?}") && shift 3; }
[ "${1:-}" = --director ] && { driver=lvs-director; shift; }
[ ${#ab[@]} -gt 0 ] && [ "$driver" != check_run ] &&
    { echo "--ab compares check_run builds"; exit 2; }
method=NAT
[ "${1:-}" = --dr ] && { method=DR; shift; }
reps=1
[ "${1:-}" = --reps ] && { reps=${2:?--reps N}; shift 2; }
. "$root/tests/lab/lab.sh"
kind=${1:-tcp}
total=${2:-10000}
window=${3:-20}
build=${BUILD:-$root/build}
RUN=$build/tests/tools/check_run
[ ${#ab[@]} -gt 0 ] || [ -x "$RUN" ] || { echo "check_run not built at $RUN"; exit 1; }
case $kind in tcp | http) ;; *) echo "kind: tcp or http"; exit 2 ;; esac
nodes=4
per=$(((total + nodes - 1) / nodes))
[ "$method" = DR ] && [ "$per" -gt 4000 ] && { echo "--dr: at most 16,000 real servers"; exit 2; }
base=20000

rs_net() { echo "10.78.$((16 * ($1 - 1))).0/20"; }
lab_init
lab_node lb 10.77.0.10/24
for n in $(seq 1 $nodes); do
    lab_node "n$n" "10.77.0.$((20 + n))/24"
    if [ "$method" = DR ]; then
        # Node n answers on a /20 of its own; its real server j is address 1 + j % 250 in the
        # /24 number j / 250 of it.
        lab_exec "n$n" ip route add local "$(rs_net "$n")" dev lo
        lab_exec lb ip route add "$(rs_net "$n")" via "10.77.0.$((20 + n))"
    fi
    d="$LAB_DIR/nginx-n$n"
    mkdir -p "$d"
    {
        echo "daemon off; worker_processes 1; pid $d/nginx.pid; error_log $d/error.log warn;"
        echo "worker_rlimit_nofile 65536;"
        echo "events { worker_connections 16384; }"
        echo "http { access_log off; client_body_temp_path $d/body; proxy_temp_path $d/proxy;"
        echo "  fastcgi_temp_path $d/fastcgi; uwsgi_temp_path $d/uwsgi; scgi_temp_path $d/scgi;"
        echo "  server {"
        if [ "$method" = DR ]; then
            echo "    listen 80;"
        else
            for ((p = base; p < base + per; p++)); do echo "    listen $p;"; done
        fi
        echo "    location / { return 200 \"ok\\n\"; }"
        echo "  }"
        echo "}"
    } >"$d/nginx.conf"
    lab_spawn "n$n" "nginx-n$n" taskset -c 1 nginx -c "$d/nginx.conf" >/dev/null
    probe_port=$((base + per - 1))
    [ "$method" = DR ] && probe_port=80
    lab_wait 20 lab_exec "n$n" bash -c "exec 3<>/dev/tcp/127.0.0.1/$probe_port" ||
        { echo "nginx in n$n did not start"; cat "$d/error.log"; exit 1; }
done

conf="$LAB_DIR/bench.conf"
# One virtual server per real-server node: 2,500 real servers fit the nftables Maglev table.
awk -v total="$total" -v nodes="$nodes" -v per="$per" -v base="$base" -v kind="$kind" \
    -v method="$method" 'BEGIN {
    if (method == "DR")
        print "global_defs {\n    default_interface eth0\n}"
    for (i = 0; i < total; i++) {
        if (i % per == 0) {
            if (i) print "}"
            printf "virtual_server 10.77.1.%d 80 {\n    delay_loop 1\n    lb_kind %s\n", 1 + i / per, method
            print "    protocol TCP"
        }
        n = int(i / per); j = i % per
        if (method == "DR")
            printf "    real_server 10.78.%d.%d 80 {\n", 16 * n + int(j / 250), 1 + j % 250
        else
            printf "    real_server 10.77.0.%d %d {\n", 21 + n, base + j
        if (kind == "tcp")
            print "        TCP_CHECK {\n            connect_timeout 2\n            retry 0\n        }"
        else
            print "        HTTP_GET {\n            url {\n                path /\n            }\n            connect_timeout 2\n            retry 0\n        }"
        print "    }"
    }
    print "}"
}' >"$conf"

# napi_thread NS DEV: switches DEV to threaded NAPI and prints the pid of its new NAPI thread.
napi_thread() {
    local before pid
    before=$(pgrep '^napi/' | sort)
    ip netns exec "$1" ethtool -K "$2" gro on tso off >/dev/null &&
        ip netns exec "$1" tc qdisc replace dev "$2" root pfifo limit 10000 &&
        ip netns exec "$1" sh -c "echo 1 >/sys/class/net/$2/threaded" || return 1
    for _ in $(seq 1 20); do
        pid=$(comm -13 <(echo "$before") <(pgrep '^napi/' | sort) | head -1)
        [ -n "$pid" ] && { echo "$pid"; return 0; }
        sleep 0.1
    done
    return 1
}
rx=$(napi_thread "$(lab_ns lb)" eth0) && lab_rx=$(napi_thread "$(lab_ns sw)" p-lb) ||
    { echo "threaded NAPI on veth unavailable (ethtool missing or kernel too old)"; exit 1; }

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
taskset -pc 1 "$rx" >/dev/null && taskset -pc 1 "$lab_rx" >/dev/null
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
uticks() { awk '{print $14}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
pct() { echo "scale=1; 100 * ($2 - $1) / $hz / ($s1 - $s0)" | bc; }
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

if [ ${#ab[@]} -gt 0 ]; then
    # Halves: virtual servers 1 and 2 (nodes n1, n2), 3 and 4 (n3, n4); global_defs in both.
    awk -v out="$LAB_DIR/half" '
        /^global_defs/ { g = 1 }
        g { defs = defs $0 "\n"; if (/^}/) g = 0; next }
        /^virtual_server/ {
            f = out ((++vs <= 2) ? 1 : 2)
            if (!(f in begun)) { printf "%s", defs > f; begun[f] = 1 }
        }
        { print > f }' "$conf"
    for b in "${ab[@]}"; do
        [ -x "$b/tests/tools/check_run" ] || { echo "check_run not built in $b"; exit 1; }
    done
    diffs=()
    for half_a in 1 2; do
        half_b=$((3 - half_a))
        pa=$(lab_spawn lb "a$half_a" taskset -c 0 "${ab[0]}/tests/tools/check_run" \
            "$LAB_DIR/half$half_a")
        pb=$(lab_spawn lb "b$half_a" taskset -c 0 "${ab[1]}/tests/tools/check_run" \
            "$LAB_DIR/half$half_b")
        for l in "a$half_a" "b$half_a"; do
            lab_wait 60 grep -q '^table' "$LAB_DIR/$l.log" ||
                { echo "check_run did not start"; cat "$LAB_DIR/$l.log"; exit 1; }
        done
        sleep 3
        for ((rep = 1; rep <= reps; rep++)); do
            a0=$(ticks "$pa") b0=$(ticks "$pb") s0=$(date +%s.%N)
            sleep "$window"
            a1=$(ticks "$pa") b1=$(ticks "$pb") s1=$(date +%s.%N)
            a=$(pct "$a0" "$a1") b=$(pct "$b0" "$b1")
            diffs+=("$(echo "$a - $b" | bc)")
            downs=$(cat "$LAB_DIR/a$half_a.log" "$LAB_DIR/b$half_a.log" |
                grep -c '^change .* down')
            echo "A on half $half_a, B on half $half_b, ${window} s: A ${a}%, B ${b}% of one core" \
                "(${kind^^}, $(grep -c real_server "$LAB_DIR/half$half_a") and" \
                "$(grep -c real_server "$LAB_DIR/half$half_b") real servers), servers marked down: $downs"
        done
        lab_stop "$pa"; lab_stop "$pb"
    done
    echo "median of A - B over ${#diffs[@]} windows: $(median "${diffs[@]}") points of one core"
    exit 0
fi

if [ "$driver" = check_run ]; then
    pid=$(lab_spawn lb checkrun taskset -c 0 "$RUN" "$conf")
    log="$LAB_DIR/checkrun.log" ready='^table' down='^change .* down'
else
    pid=$(lab_spawn lb director taskset -c 0 "$build/director/lvs-director" -n -l -f "$conf" \
        -p "$LAB_DIR/director.pid")
    log="$LAB_DIR/director.log" ready='changes applied' down=' is down ('
fi
lab_wait 60 grep -q "$ready" "$log" || { echo "$driver did not start"; cat "$log"; exit 1; }
sleep 3 # first checks are spread over the first delay_loop
cpus=() ucpus=()
for ((rep = 1; rep <= reps; rep++)); do
    u0=$(uticks "$pid"); t0=$(ticks "$pid"); r0=$(ticks "$rx"); l0=$(ticks "$lab_rx")
    s0=$(date +%s.%N)
    sleep "$window"
    u1=$(uticks "$pid"); t1=$(ticks "$pid"); r1=$(ticks "$rx"); l1=$(ticks "$lab_rx")
    s1=$(date +%s.%N)
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    downs=$(grep -c "$down" "$log")
    cpu=$(pct "$t0" "$t1") ucpu=$(pct "$u0" "$u1")
    cpus+=("$cpu") ucpus+=("$ucpu")
    [ "$reps" -gt 1 ] && echo "window $rep of $reps:"
    echo "checks: $total real servers ($method), ${kind^^} at delay_loop 1, ${window} s window"
    echo "director CPU ($driver): ${cpu}% of one core (user ${ucpu}%; target < 25%), RSS ${rss} kB, servers marked down: $downs"
    echo "director's receive softirq (its veth's NAPI thread): $(pct "$r0" "$r1")% of one core"
    echo "real servers' side of the lab (their NAPI thread, not the director's): $(pct "$l0" "$l1")% of one core"
done
[ "$reps" -gt 1 ] &&
    echo "median over $reps windows: director CPU $(median "${cpus[@]}")% of one core (user $(median "${ucpus[@]}")%), servers marked down: $downs"
lab_stop "$pid"
