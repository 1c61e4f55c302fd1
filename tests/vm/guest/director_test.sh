#!/bin/sh
# lvs-director's own use of IPVS, in the guest (run by tests/vm/ipvs-vm.sh): the daemon applies
# the virtual servers of its config, a restart with the same config changes nothing (no flush,
# counters and connections live on), SIGHUP applies a changed config by its difference, and a
# broken file on reload leaves the table alone. Expected listings are those of ipvs_test.sh.
#   director_test.sh LVS_DIRECTOR DATA_DIR
set -u
D=$1
DATA=$2
S=$(mktemp -d)
n=0
failed=0
check() {
    d=$1
    shift
    n=$((n + 1))
    if "$@"; then echo "ok $n - $d"; else failed=$((failed + 1)); echo "not ok $n - $d"; fi
}
listing() { ipvsadm -Ln | tail -n +2; }
# wait_for SECS CMD...: bounded retry every 0.2 s
wait_for() {
    t=$(($1 * 5))
    shift
    while [ $t -gt 0 ]; do
        "$@" && return 0
        sleep 0.2
        t=$((t - 1))
    done
    return 1
}
same_as() { listing >"$S/now" && diff -u "$1" "$S/now" >"$S/diff"; }
show_diff() { sed 's/^/#   /' "$S/diff"; }
start() { "$D" -n -l -p "$S/pid" -f "$S/conf" >>"$S/log" 2>&1 & pid=$!; }
stop() {
    kill -TERM "$pid"
    t=50
    while kill -0 "$pid" 2>/dev/null && [ $t -gt 0 ]; do sleep 0.1; t=$((t - 1)); done
    wait "$pid" 2>/dev/null
}

ipvsadm -C
cp "$DATA/a.conf" "$S/conf"
start
check "the daemon applies a.conf" wait_for 20 same_as "$DATA/a.list" || show_diff
check "... and logs what it did" grep -q "virtual servers: .* changes applied" "$S/log"
stop
check "a stop leaves the table in place" same_as "$DATA/a.list" || show_diff
: >"$S/log"
start
sleep 3
check "a restart with the same config changes nothing" same_as "$DATA/a.list" || show_diff
check "... and applies no op" sh -c "! grep -q 'changes applied' $S/log"
cp "$DATA/b.conf" "$S/conf"
kill -HUP "$pid"
check "SIGHUP applies b.conf" wait_for 20 same_as "$DATA/b.list" || show_diff
printf 'virtual_server 10.9.9.9 80 {\n    real_server 10.0.1.1 80\n}\n' >>"$S/conf"
printf 'vrrp_instance X {\n    virtual_router_id 300\n}\n' >>"$S/conf"
kill -HUP "$pid"
check "a broken file on reload is reported" wait_for 10 grep -q "keeping the running one" "$S/log"
check "... and the table stays as it was" same_as "$DATA/b.list" || show_diff
stop
sed 's/^/# log: /' "$S/log" | head -40
ipvsadm -C
echo "# $n checks, $failed failed"
[ "$failed" = 0 ]
