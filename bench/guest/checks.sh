#!/bin/sh
# In the IPVS guest (run by bench/checks_peer.sh through tests/vm/ipvs-vm.sh): the CPU of the
# health checkers on the same keepalived.conf, keepalived's checker process (`keepalived -C`,
# which needs IPVS: it puts the real servers in the kernel table and takes them out on failure)
# against our check_run (CheckerSet, as lvs-director runs it).
#   checks.sh CHECK_RUN DATA_DIR WINDOW WARMUP
# DATA_DIR (made by bench/checks_peer.sh): KIND-N.conf for each run, listed in DATA_DIR/runs
# ("KIND N" lines). The real servers are one nginx started here, listening on
# every port of the largest N on 10.77.0.21 (a dummy interface), with stub_status on
# 127.0.0.1:8099, whose "accepts" counter counts the checks both checkers made.
# Prints one line per measurement:
#   run: CHECKER KIND N TICKS UTICKS HZ WALL_MS ACCEPTS DOWNS ENDUP
# (TICKS/UTICKS: the checker process's utime+stime / utime over the window; ACCEPTS: connections
# nginx accepted over the window; DOWNS: real servers the checker marked down over the whole run;
# ENDUP: real servers up at the end), and "ok"/"not ok" checks.
set -u
RUN=$1
DATA=$2
WINDOW=${3:-20}
WARMUP=${4:-6}
S=$(mktemp -d)
failed=0
base=20000
hz=$(getconf CLK_TCK)
ulimit -n 65536 2>/dev/null || true

echo "# kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) vCPU (TCG), $(keepalived --version 2>&1 | head -1)"
ip link add chk0 type dummy && ip addr add 10.77.0.21/24 dev chk0 && ip link set chk0 up || {
    echo "not ok - dummy interface for the real servers"
    exit 1
}

# one nginx: every port of the largest run, and the accept counter
max=$(awk '$2 > m { m = $2 } END { print m + 0 }' "$DATA/runs")
{
    echo "daemon off; worker_processes 1; pid $S/nginx.pid; error_log $S/nginx.err warn;"
    echo "worker_rlimit_nofile 65536; events { worker_connections 8192; }"
    echo "http { access_log off; client_body_temp_path $S/body; proxy_temp_path $S/proxy;"
    echo "  fastcgi_temp_path $S/fastcgi; uwsgi_temp_path $S/uwsgi; scgi_temp_path $S/scgi;"
    echo "  server { listen 127.0.0.1:8099; location / { stub_status; } }"
    echo "  server {"
    p=$base
    while [ $p -lt $((base + max)) ]; do
        echo "    listen 10.77.0.21:$p;"
        p=$((p + 1))
    done
    echo "    location / { return 200 \"ok\\n\"; }"
    echo "  }"
    echo "}"
} >"$S/nginx.conf"
nginx -c "$S/nginx.conf" >"$S/nginx.out" 2>&1 &
nginx_pid=$!
accepts() { curl -s --max-time 5 http://127.0.0.1:8099/ | awk 'NR == 3 { print $1 }'; }
t=100
until [ -n "$(accepts)" ] || [ $t = 0 ]; do sleep 0.2; t=$((t - 1)); done
[ -n "$(accepts)" ] || { echo "not ok - nginx did not start"; cat "$S/nginx.err" "$S/nginx.out"; exit 1; }
echo "ok - nginx listening on $max ports"

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
uticks() { awk '{ print $14 }' "/proc/$1/stat"; }
stop() { # PID: SIGTERM, bounded wait
    kill -TERM "$1" 2>/dev/null
    t=100
    while kill -0 "$1" 2>/dev/null && [ $t -gt 0 ]; do sleep 0.1; t=$((t - 1)); done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}
# measure CHECKER KIND N PID: the window on PID, then the result line
measure() {
    sleep "$WARMUP"
    a0=$(accepts); t0=$(ticks "$4"); u0=$(uticks "$4"); s0=$(date +%s%N)
    sleep "$WINDOW"
    a1=$(accepts); t1=$(ticks "$4"); u1=$(uticks "$4"); s1=$(date +%s%N)
    # the two stub_status requests of the window are not checks
    echo "$((t1 - t0)) $((u1 - u0)) $hz $(((s1 - s0) / 1000000)) $((a1 - a0 - 1))"
}

# keepalived KIND N: its checker child, measured; downs from its log, up from the IPVS table.
# -G: no syslog. The guest has no syslog daemon, so syslog() would fall back to the serial
# console, which under TCG costs the checker milliseconds per line (-l keeps the log on stderr).
keepalived_run() {
    conf=$DATA/$1-$2.conf
    ipvsadm -C
    : >"$S/ka.log"
    keepalived -C -n -l -G -p "$S/ka.pid" -c "$S/ka-chk.pid" -f "$conf" >"$S/ka.log" 2>&1 &
    kp=$!
    child=""
    t=100
    while [ -z "$child" ] && [ $t -gt 0 ]; do
        sleep 0.2
        child=$(cat "/proc/$kp/task/$kp/children" 2>/dev/null | awk '{ print $1 }')
        t=$((t - 1))
    done
    if [ -z "$child" ]; then
        failed=$((failed + 1))
        echo "not ok - keepalived $1 $2: no checker process"
        tail -5 "$S/ka.log"
        stop "$kp"
        return
    fi
    m=$(measure keepalived "$1" "$2" "$child")
    downs=$(grep -c 'Removing service' "$S/ka.log")
    up=$(ipvsadm -L -n | grep -c -- '-> 10\.77\.0\.21:')
    stop "$kp"
    echo "run: keepalived $1 $2 $m $downs $up"
    [ "$downs" = 0 ] && [ "$up" = "$2" ] || {
        failed=$((failed + 1))
        echo "not ok - keepalived $1 $2: $downs removed, $up of $2 in the IPVS table"
        grep -m3 -i 'fail\|remov' "$S/ka.log"
    }
    ipvsadm -C
}

# ours KIND N: check_run; downs and the final state from its change lines
ours_run() {
    conf=$DATA/$1-$2.conf
    "$RUN" "$conf" >"$S/ours.log" 2>&1 &
    op=$!
    t=150
    until grep -q '^table' "$S/ours.log" || [ $t = 0 ]; do sleep 0.2; t=$((t - 1)); done
    m=$(measure ours "$1" "$2" "$op")
    stop "$op"
    downs=$(grep -c '^change .* down' "$S/ours.log")
    ups=$(grep -c '^change .* up' "$S/ours.log")
    start_up=$(grep -c '^start .* up' "$S/ours.log")
    # every server starts up (no "alpha") and stays up: ENDUP = start up + changes up - downs
    up=$((start_up + ups - downs))
    echo "run: ours $1 $2 $m $downs $up"
    [ "$downs" = 0 ] && [ "$up" = "$2" ] || {
        failed=$((failed + 1))
        echo "not ok - ours $1 $2: $downs marked down, $up of $2 up"
        grep -m3 'down' "$S/ours.log"
    }
}

# alternate which checker goes first, run by run
i=0
while read -r kind n; do
    if [ $((i % 2)) = 0 ]; then keepalived_run "$kind" "$n"; ours_run "$kind" "$n"; else
        ours_run "$kind" "$n"; keepalived_run "$kind" "$n"
    fi
    i=$((i + 1))
done <"$DATA/runs"
stop "$nginx_pid"
echo "# guest done, $failed failure(s)"
[ "$failed" = 0 ]
