#!/bin/sh
# In the IPVS guest (run by bench/table_apply.sh through tests/vm/ipvs-vm.sh): times our IPVS
# backend (ipvs_apply --config, by difference) against `ipvsadm -R` on the same tables.
#   table_apply.sh IPVS_APPLY DATA_DIR REPS
# DATA_DIR (made by bench/table_apply.sh): base.conf / changed.conf (keepalived.conf), base.rules /
# changed.rules (the same tables as `ipvsadm -S -n` writes them), delta.rules (the ipvsadm
# lines that turn base into changed: -D, -A, -a, -e), expect (the op counts ours must print).
# Prints one "time: WHAT REP MS" line per measurement and "ok"/"not ok" checks.
set -u
APPLY=$1
DATA=$2
REPS=${3:-3}
S=$(mktemp -d)
failed=0

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# timed WHAT REP CMD...: runs CMD (output in $S/out), prints its wall time
timed() {
    what=$1 rep=$2
    shift 2
    t0=$(date +%s%N)
    "$@" >"$S/out" 2>&1
    rc=$?
    t1=$(date +%s%N)
    echo "time: $what $rep $(((t1 - t0) / 1000)) us rc $rc"
    [ "$rc" = 0 ] || { failed=$((failed + 1)); echo "not ok - $what rep $rep exited $rc"; tail -5 "$S/out"; }
}
restore() { ipvsadm -R <"$1"; }
flush_restore() { ipvsadm -C && ipvsadm -R <"$1"; }
# the table now equals FILE (sorted ipvsadm -S -n lines)?
is_table() { # WHAT FILE
    ipvsadm -S -n | LC_ALL=C sort >"$S/now"
    LC_ALL=C sort "$2" >"$S/want"
    if cmp -s "$S/now" "$S/want"; then
        echo "ok - $1: the kernel holds $(grep -c '^-A' "$S/now") services, $(grep -c '^-a' "$S/now") real servers as expected"
    else
        failed=$((failed + 1))
        echo "not ok - $1: the kernel table differs from $2"
        diff "$S/want" "$S/now" | head -10
    fi
}
ops_are() { # WHAT N: ours printed "ops: N"
    got=$(sed -n 's/^ops: //p' "$S/out")
    if [ "$got" = "$2" ]; then echo "ok - $1: ops: $got"; else
        failed=$((failed + 1)); echo "not ok - $1: ops: $got, expected $2"; grep -v '^op: ' "$S/out" | head -5
    fi
}
. "$DATA/expect" # OPS_FULL OPS_CHANGE

echo "# kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) vCPU (TCG), $(ipvsadm --version 2>&1 | head -1)"
ipvsadm -C
r=1
while [ $r -le "$REPS" ]; do
    # ours: from empty, then the 10 % change by difference, then the same config again
    ours() {
        ipvsadm -C
        timed ours_full $r "$APPLY" --config "$DATA/base.conf"
        [ $r = 1 ] && { ops_are "ours from empty" "$OPS_FULL"; is_table "ours from empty" "$DATA/base.rules"; }
        timed ours_change $r "$APPLY" --config "$DATA/changed.conf"
        [ $r = 1 ] && { ops_are "ours, 10 % change" "$OPS_CHANGE"; is_table "ours, 10 % change" "$DATA/changed.rules"; }
        timed ours_same $r "$APPLY" --config "$DATA/changed.conf"
        [ $r = 1 ] && ops_are "ours, same config again" 0
        # where the fixed cost goes: parsing and diffing alone (empty kernel table, dry run)
        ipvsadm -C
        timed ours_parse $r "$APPLY" --config "$DATA/changed.conf" --dry-run
    }
    # ipvsadm: -R from empty; the change as -C then -R of the new table; the change as -R of
    # the edit lines on top of the old table
    theirs() {
        ipvsadm -C
        timed ipvsadm_full $r restore "$DATA/base.rules"
        [ $r = 1 ] && is_table "ipvsadm -R from empty" "$DATA/base.rules"
        timed ipvsadm_flush_restore $r flush_restore "$DATA/changed.rules"
        [ $r = 1 ] && is_table "ipvsadm -C; ipvsadm -R" "$DATA/changed.rules"
        ipvsadm -C
        ipvsadm -R <"$DATA/base.rules"
        timed ipvsadm_save $r ipvsadm -S -n
        timed ipvsadm_delta $r restore "$DATA/delta.rules"
        [ $r = 1 ] && is_table "ipvsadm -R of the edit lines" "$DATA/changed.rules"
    }
    if [ $((r % 2)) = 1 ]; then ours; theirs; else theirs; ours; fi
    r=$((r + 1))
done
ipvsadm -C
echo "# guest done, $failed failure(s)"
[ "$failed" = 0 ]
