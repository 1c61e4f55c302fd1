#!/bin/bash
# lvsctl end to end: a test server (tests/tools/control_test_server.cpp) serves fixed tables on a
# real control socket; lvsctl must print them as ipvsadm -Ln does (the expected texts are
# ipvsadm's own, captured in the IPVS guest: tests/vm/data), give JSON, and be refused to
# non-root users. Needs root (setpriv to nobody).
#   lvsctl.sh LVSCTL CONTROL_TEST_SERVER TESTS_DIR
set -u
LVSCTL_BIN=$1
SERVER=$2
TESTS=$3
DATA=$TESTS/vm/data
FIX=$TESTS/fixtures/control

if [ "$(id -u)" != 0 ]; then
    echo "lvsctl.sh: needs root (runs lvsctl as nobody)"
    exit 77
fi

T=$(mktemp -d /tmp/lvsctl-test.XXXXXX)
chmod 0755 "$T"
# nobody must be able to run lvsctl whatever the build tree's permissions
cp "$LVSCTL_BIN" "$T/lvsctl"
chmod 0755 "$T/lvsctl"
LVSCTL=$T/lvsctl
SOCK=$T/run/director.sock
pass=0
fail=0
server_pid=

cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); echo "ok - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
check() { # DESCRIPTION COMMAND...
    local d=$1
    shift
    if "$@"; then ok "$d"; else not_ok "$d"; fi
}
# same DESCRIPTION EXPECTED_FILE ACTUAL_FILE
same() {
    if diff -u "$2" "$3" >"$T/diff"; then ok "$1"; else not_ok "$1"; cat "$T/diff"; fi
}
# run_lvsctl ARGS...: stdout in $T/out, stderr in $T/err, status in $rc
run_lvsctl() {
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
}
# start_server ARGS...: waits for "ready"
start_server() {
    [ -n "$server_pid" ] && stop_server
    rm -f "$T/server.out"
    "$SERVER" "$SOCK" "$@" >"$T/server.out" 2>"$T/server.err" &
    server_pid=$!
    for _ in $(seq 100); do
        grep -q '^ready$' "$T/server.out" 2>/dev/null && return 0
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.05
    done
    echo "# server did not start:"
    cat "$T/server.err"
    return 1
}
stop_server() {
    kill "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
    server_pid=
}
# the version line, then ipvsadm's capture
with_header() { { echo "IP Virtual Server version 1.2.1 (size=4096)"; cat "$1"; } >"$2"; }

# ---------------------------------------------------------------- not running
run_lvsctl "$LVSCTL" --socket "$SOCK" list
check "no daemon: exit 3" [ "$rc" = 3 ]
check "no daemon: says it cannot reach lvs-director at the path" \
    grep -qF "lvsctl: cannot reach lvs-director at $SOCK: No such file or directory" "$T/err"

# ---------------------------------------------------------------- a.conf (ipvsadm's own text)
start_server --config "$DATA/a.conf" || exit 1
check "socket is mode 0600" [ "$(stat -c %a "$SOCK")" = 600 ]
run_lvsctl "$LVSCTL" --socket "$SOCK" list
check "list: exit 0" [ "$rc" = 0 ]
with_header "$DATA/a.list" "$T/want"
same "list prints a.conf as ipvsadm -Ln does" "$T/want" "$T/out"
run_lvsctl "$LVSCTL" --socket "$SOCK" list -n --thresholds
with_header "$DATA/a.thresholds" "$T/want"
same "list --thresholds as ipvsadm -Ln --thresholds" "$T/want" "$T/out"
run_lvsctl "$LVSCTL" --socket "$SOCK" list --persistent-conn
with_header "$DATA/a.persistent" "$T/want"
same "list --persistent-conn as ipvsadm -Ln --persistent-conn" "$T/want" "$T/out"

run_lvsctl "$LVSCTL" --socket "$SOCK" list --json
check "list --json: exit 0" [ "$rc" = 0 ]
check "list --json: backend" grep -q '"conn_table_size": 4096' "$T/out"
check "list --json: 13 services" [ "$(grep -c '"scheduler"' "$T/out")" = 13 ]
check "list --json: a persistent service" grep -q '"timeout": 300' "$T/out"
check "list --json ends with the closing brace" [ "$(tail -n 1 "$T/out")" = "}" ]

run_lvsctl "$LVSCTL" --socket "$SOCK" vrrp
check "vrrp: exit 0" [ "$rc" = 0 ]
check "vrrp: VI_1 master line" grep -qE '^VI_1 +eth0 +51 MASTER +150/150 +192.0.2.1 +1234 ' "$T/out"
check "vrrp: VI_6 backup line" grep -qE '^VI_6 +eth1 +52 BACKUP +90/100 +fe80::1 +0 +987 +3$' "$T/out"
run_lvsctl "$LVSCTL" --socket "$SOCK" vrrp --json
check "vrrp --json" grep -q '"adverts_received": 987' "$T/out"

# ---------------------------------------------------------------- non-root
chmod 0755 "$T/run"
run_lvsctl setpriv --reuid=nobody --regid=nogroup --clear-groups "$LVSCTL" --socket "$SOCK" list
check "nobody: exit 3" [ "$rc" = 3 ]
check "nobody: told the socket is for root" \
    grep -qF "lvsctl: cannot reach lvs-director at $SOCK: Permission denied (the control socket is for root)" "$T/err"
check "nobody: prints no table" [ ! -s "$T/out" ]
# With CAP_DAC_OVERRIDE the file mode does not stop nobody: the daemon's uid check must.
run_lvsctl setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=+dac_override \
    --ambient-caps=+dac_override "$LVSCTL" --socket "$SOCK" list
check "nobody with CAP_DAC_OVERRIDE: exit 1" [ "$rc" = 1 ]
check "nobody with CAP_DAC_OVERRIDE: refused by uid" \
    grep -qF "lvsctl: lvs-director: permission denied: lvs-director's control socket is for root only (uid 65534)" "$T/err"
check "nobody with CAP_DAC_OVERRIDE: prints no table" [ ! -s "$T/out" ]

# ---------------------------------------------------------------- stale socket, taken socket
kill -9 "$server_pid"
wait "$server_pid" 2>/dev/null
server_pid=
check "killed server leaves its socket file" [ -S "$SOCK" ]
run_lvsctl "$LVSCTL" --socket "$SOCK" list
check "stale socket: exit 3, connection refused" \
    sh -c "[ $rc = 3 ] && grep -q 'Connection refused (is lvs-director running?)' '$T/err'"
start_server --table "$DATA/c.json" || exit 1
ok "a new server replaces the stale socket"
"$SERVER" "$SOCK" --table "$DATA/c.json" >"$T/second.out" 2>"$T/second.err"
check "a second server does not take over a live socket" \
    grep -q 'another process listens on it' "$T/second.err"
run_lvsctl "$LVSCTL" --socket "$SOCK" list --tun-info
with_header "$DATA/c.list" "$T/want"
same "list --tun-info: flags, ops, tunnels, mixed families as ipvsadm" "$T/want" "$T/out"

# ---------------------------------------------------------------- counters
start_server --table "$FIX/stats.json" || exit 1
run_lvsctl "$LVSCTL" --socket "$SOCK" list
same "list with connection counts" "$FIX/plain.list" "$T/out"
run_lvsctl "$LVSCTL" --socket "$SOCK" list --stats
same "list --stats" "$FIX/stats.list" "$T/out"
run_lvsctl "$LVSCTL" --socket "$SOCK" list --rate
same "list --rate" "$FIX/rate.list" "$T/out"

# ---------------------------------------------------------------- another dataplane, usage
start_server --table "$FIX/stats.json" --backend nftables || exit 1
run_lvsctl "$LVSCTL" --socket "$SOCK" list
check "nftables backend: names it on the first line" \
    [ "$(head -n 1 "$T/out")" = "lvs-director dataplane nftables" ]
check "nftables backend: same table" \
    [ "$(tail -n +2 "$T/out")" = "$(tail -n +2 "$FIX/plain.list")" ]
run_lvsctl "$LVSCTL" --socket "$SOCK" list --stats --rate
check "two layouts: exit 1" [ "$rc" = 1 ]
run_lvsctl "$LVSCTL" --socket "$SOCK" frobnicate
check "unknown command: exit 1" sh -c "[ $rc = 1 ] && grep -q \"unknown command 'frobnicate'\" '$T/err'"
run_lvsctl "$LVSCTL" --help
check "--help: exit 0, shows the default socket" grep -q '^  --socket PATH' "$T/out"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
