#!/usr/bin/env bash
# CPU of the health checkers: 10,000 real servers (4 namespaces, one nginx each listening on
# 2,500 ports) checked with TCP_CHECK (or HTTP_GET) at delay_loop 1 by tests/tools/check_run,
# which runs CheckerSet exactly as the director will. Prints the driver's CPU over a window, as a
# percentage of one core (issue 6 target: under 25 %), and how many checks failed.
#
# Reading the number: veth and the bridge deliver packets synchronously, so the kernel work of
# the *real servers'* side of every handshake (and of the lab's bridge netfilter) is charged to
# the driver's system time too. The user time is the checkers' own cost; on a real director the
# peers' half of the kernel time is spent on the real servers.
#
# Usage (root): bench/checks.sh [tcp|http] [REAL_SERVERS] [SECONDS]
#        (defaults: tcp, 10000, 20; build tree: $BUILD or build/)
#        bench/checks.sh --peer [options]: ours against keepalived's checker in the IPVS guest
#        (bench/checks_peer.sh; keepalived's checker needs IPVS, which this host lacks)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ "${1:-}" = --peer ] && { shift; exec "$root/bench/checks_peer.sh" "$@"; }
. "$root/tests/lab/lab.sh"
kind=${1:-tcp}
total=${2:-10000}
window=${3:-20}
build=${BUILD:-$root/build}
RUN=$build/tests/tools/check_run
[ -x "$RUN" ] || { echo "check_run not built at $RUN"; exit 1; }
case $kind in tcp | http) ;; *) echo "kind: tcp or http"; exit 2 ;; esac
nodes=4
per=$(((total + nodes - 1) / nodes))
base=20000

lab_init
lab_node lb 10.77.0.10/24
for n in $(seq 1 $nodes); do
    lab_node "n$n" "10.77.0.$((20 + n))/24"
    d="$LAB_DIR/nginx-n$n"
    mkdir -p "$d"
    {
        echo "daemon off; worker_processes 1; pid $d/nginx.pid; error_log $d/error.log warn;"
        echo "worker_rlimit_nofile 65536;"
        echo "events { worker_connections 16384; }"
        echo "http { access_log off; client_body_temp_path $d/body; proxy_temp_path $d/proxy;"
        echo "  fastcgi_temp_path $d/fastcgi; uwsgi_temp_path $d/uwsgi; scgi_temp_path $d/scgi;"
        echo "  server {"
        for ((p = base; p < base + per; p++)); do echo "    listen $p;"; done
        echo "    location / { return 200 \"ok\\n\"; }"
        echo "  }"
        echo "}"
    } >"$d/nginx.conf"
    lab_spawn "n$n" "nginx-n$n" nginx -c "$d/nginx.conf" >/dev/null
    lab_wait 20 lab_exec "n$n" bash -c "exec 3<>/dev/tcp/127.0.0.1/$((base + per - 1))" ||
        { echo "nginx in n$n did not start"; cat "$d/error.log"; exit 1; }
done

conf="$LAB_DIR/bench.conf"
awk -v total="$total" -v nodes="$nodes" -v per="$per" -v base="$base" -v kind="$kind" 'BEGIN {
    print "virtual_server 10.77.1.1 80 {\n    delay_loop 1\n    lb_kind NAT\n    protocol TCP"
    for (i = 0; i < total; i++) {
        printf "    real_server 10.77.0.%d %d {\n", 21 + int(i / per), base + i % per
        if (kind == "tcp")
            print "        TCP_CHECK {\n            connect_timeout 2\n            retry 0\n        }"
        else
            print "        HTTP_GET {\n            url {\n                path /\n            }\n            connect_timeout 2\n            retry 0\n        }"
        print "    }"
    }
    print "}"
}' >"$conf"

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
pid=$(lab_spawn lb checkrun "$RUN" "$conf")
log="$LAB_DIR/checkrun.log"
lab_wait 30 grep -q '^table' "$log" || { echo "check_run did not start"; cat "$log"; exit 1; }
sleep 3 # first checks are spread over the first delay_loop
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
uticks() { awk '{print $14}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
u0=$(uticks "$pid"); t0=$(ticks "$pid"); s0=$(date +%s.%N)
sleep "$window"
u1=$(uticks "$pid"); t1=$(ticks "$pid"); s1=$(date +%s.%N)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
downs=$(grep -c '^change .* down' "$log")
cpu=$(echo "scale=1; 100 * ($t1 - $t0) / $hz / ($s1 - $s0)" | bc)
ucpu=$(echo "scale=1; 100 * ($u1 - $u0) / $hz / ($s1 - $s0)" | bc)
echo "checks: $total real servers, ${kind^^} at delay_loop 1, ${window} s window"
echo "driver CPU: ${cpu}% of one core (user ${ucpu}%; target < 25%), RSS ${rss} kB, servers marked down: $downs"
lab_stop "$pid"
