#!/bin/sh
# The IPVS backend against Debian's kernel, run in the guest by tests/vm/ipvs-vm.sh (chrooted in
# the host's /, so ipvs_apply, ipvsadm, ip and curl are the host's). Prints TAP-like lines.
#   ipvs_test.sh IPVS_APPLY DATA_DIR
# ipvsadm is the independent reader: what we apply is compared with what it reads back.
set -u
APPLY=$1
DATA=$2
S=$(mktemp -d)
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { # description command...
    d=$1
    shift
    if "$@"; then ok "$d"; else not_ok "$d"; fi
}
# same DESCRIPTION EXPECTED_FILE ACTUAL_FILE
same() {
    if [ -f "$2" ] && diff -u "$2" "$3" >"$S/diff"; then
        ok "$1"
    else
        not_ok "$1"
        if [ -f "$2" ]; then cat "$S/diff"; else echo "# no $2; actual:"; cat "$3"; fi
    fi
}
# run ipvs_apply ARGS...: output in $S/out, status in $rc, the ops alone in $S/ops
run() {
    "$APPLY" "$@" >"$S/out" 2>&1
    rc=$?
    sed -n 's/^op: //p' "$S/out" >"$S/ops"
    echo "# ipvs_apply $* -> $rc"
    sed 's/^/#   /' "$S/out" | head -60
}
# the table as ipvsadm lists it, without its version header
listing() { ipvsadm -Ln "$@" | tail -n +2; }
ops_count() { sed -n 's/^ops: //p' "$S/out"; }

echo "# kernel $(uname -r)"
run --info
check "IPVS answers GET_INFO" grep -q '^IPVS 1\.2\.1 conn_table_size [0-9]' "$S/out"

# ---------------------------------------------------------------- a.conf from an empty table
run --config "$DATA/a.conf"
check "a.conf applies (rc 0)" [ "$rc" = 0 ]
check "a.conf: one op per service and real server, all applied" \
    grep -q '^applied: 31 refused: 0 skipped: 0$' "$S/out"
listing >"$S/a.list"
same "a.conf as ipvsadm -Ln reads it" "$DATA/a.list" "$S/a.list"
listing --thresholds >"$S/a.thresholds"
same "a.conf thresholds (ipvsadm -Ln --thresholds)" "$DATA/a.thresholds" "$S/a.thresholds"
listing --persistent-conn >"$S/a.persistent"
same "a.conf persistence (ipvsadm -Ln --persistent-conn)" "$DATA/a.persistent" "$S/a.persistent"

run --config "$DATA/a.conf"
check "a.conf again: no op (idempotent)" [ "$rc" = 0 ] && [ "$(ops_count)" = 0 ]

# ---------------------------------------------------------------- a.conf → b.conf: the minimal ops
run --config "$DATA/b.conf"
check "b.conf applies (rc 0)" [ "$rc" = 0 ]
same "a.conf → b.conf: exactly the changed ops, in order" "$DATA/a-to-b.ops" "$S/ops"
listing >"$S/b.list"
same "b.conf as ipvsadm -Ln reads it" "$DATA/b.list" "$S/b.list"
run --config "$DATA/b.conf"
check "b.conf again: no op" [ "$(ops_count)" = 0 ]

# a lowered weight (health checks) is one edit
run --config "$DATA/b.conf" --weight 1:0=0
echo "edit destination TCP 10.0.0.1:80 -> 10.0.1.1:80 DR weight 0" >"$S/want"
same "weight override: one edit" "$S/want" "$S/ops"

# ---------------------------------------------------------------- every field through the kernel
run --table "$DATA/c.json"
check "c.json (scheduler flags, tunnels, mixed family, large thresholds) applies" [ "$rc" = 0 ]
listing --tun-info >"$S/c.list"
same "c.json as ipvsadm -Ln --tun-info reads it" "$DATA/c.list" "$S/c.list"
listing --thresholds >"$S/c.thresholds"
same "c.json thresholds" "$DATA/c.thresholds" "$S/c.thresholds"
run --table "$DATA/c.json"
check "c.json again: no op (every field read back equal)" [ "$(ops_count)" = 0 ]
"$APPLY" --dump >"$S/dump.json"
run --table "$S/dump.json"
check "our own dump applied back: no op" [ "$(ops_count)" = 0 ]

# ---------------------------------------------------------------- a refused op
run --table "$DATA/refused.json"
check "refused ops give status 1" [ "$rc" = 1 ]
grep -E '^(error|skipped|applied): ' "$S/out" >"$S/refused.out"
same "refusals are reported with their service, the rest applied" "$DATA/refused.out" \
    "$S/refused.out"
listing >"$S/refused.list"
same "refused.json: the other services are in place" "$DATA/refused.list" "$S/refused.list"

# ---------------------------------------------------------------- timeouts, sync daemon
run --set 900 120 300 --timeouts
check "timeouts read back" grep -q '^timeouts: 900 120 300$' "$S/out"
check "ipvsadm reads the timeouts" [ "$(ipvsadm -Ln --timeout)" = "Timeout (tcp tcpfin udp): 900 120 300" ]
ip link add sync0 type dummy && ip link set sync0 multicast on up
run --sync-start master sync0 42 224.0.0.81 8848 2 1400 --sync-list
check "sync daemon started" grep -q '^sync: master sync0 id 42 group 224.0.0.81 port 8848 ttl 2 maxlen 1400$' "$S/out"
check "ipvsadm sees the sync daemon" sh -c "ipvsadm -Ln --daemon | grep -q 'master sync daemon (mcast=sync0, syncid=42'"
run --sync-stop master --sync-list
check "sync daemon stopped" [ -z "$(ipvsadm -Ln --daemon)" ]

# ---------------------------------------------------------------- scale
# 300 services x 5 real servers: dumps that span many datagrams, then a 10 % change.
big() { # WEIGHT-BUMP for every tenth service
    awk -v bump="$1" 'BEGIN {
        printf "{\"services\": ["
        for (s = 0; s < 300; s++) {
            printf "%s{\"address\": \"10.50.%d.%d\", \"port\": 80, \"scheduler\": \"wrr\", \"destinations\": [",
                (s ? "," : ""), int(s / 250), s % 250 + 1
            for (d = 0; d < 5; d++)
                printf "%s{\"address\": \"10.60.0.%d\", \"forward\": \"DR\", \"weight\": %d}",
                    (d ? "," : ""), d + 1, d + 1 + (s % 10 == 0 ? bump : 0)
            printf "]}"
        }
        print "]}" }'
}
big 0 >"$S/big.json"
big 1 >"$S/big2.json"
t0=$(date +%s%N)
"$APPLY" --table "$S/big.json" >"$S/out" 2>&1
t1=$(date +%s%N)
echo "# 300 services x 5 applied from empty in $(((t1 - t0) / 1000000)) ms (TCG)"
check "scale: 1800 adds applied (and the previous services deleted)" \
    [ "$(grep -c '^op: add' "$S/out")" = 1800 ] && grep -q ' refused: 0 skipped: 0$' "$S/out"
check "scale: ipvsadm lists 300 services and 1500 real servers" \
    [ "$(ipvsadm -Ln | grep -c '^TCP')" = 300 ] && [ "$(ipvsadm -Ln | grep -c '^  -> [0-9]')" = 1500 ]
"$APPLY" --table "$S/big.json" >"$S/out" 2>&1
check "scale: read back whole, no op" grep -q '^ops: 0$' "$S/out"
t0=$(date +%s%N)
"$APPLY" --table "$S/big2.json" >"$S/out" 2>&1
t1=$(date +%s%N)
echo "# 10 % of the services reweighted in $(((t1 - t0) / 1000000)) ms (TCG)"
check "scale: 10 % change is 150 destination edits" \
    [ "$(grep -c '^op: edit destination' "$S/out")" = 150 ] && grep -q '^ops: 150$' "$S/out"

# ---------------------------------------------------------------- traffic
if [ -f "$DATA/../guest/traffic.sh" ]; then
    . "$DATA/../guest/traffic.sh"
fi

echo "1..$n"
[ "$failed" = 0 ] && echo "# all passed" || echo "# $failed failed"
[ "$failed" = 0 ]
