#!/usr/bin/env bash
# Table apply: a keepalived.conf of 1,000 virtual servers x 10 real servers, applied from empty
# and then changed by 10 %, by our IPVS backend (ipvs_apply --config: read the kernel's table,
# diff, apply the difference over generic netlink) against `ipvsadm -R` of the same tables in the
# same guest run (Debian's kernel IPVS under qemu, tests/vm/ipvs-vm.sh); then our nftables backend
# (nft_apply --config) on this host, inside a network namespace of its own, for the same tables.
#
# The tables (generated here; 11,000 objects: 1,000 services + 10,000 real servers, TCP, wrr, DR):
#   base      service i = 10.1.x.y:80, its real servers 172.16.x.y:80 (all distinct), weights 1..3
#   changed   10 % of the objects change: 50 services removed and 50 new ones (10 real servers
#             each) added, and the 500 real servers of 50 other services reweighted. As ops:
#             50 service deletes + 50 service adds + 500 real-server adds + 500 edits = 1,100.
# ipvsadm's ways to make that change, both timed (say which when quoting):
#   flush+restore   `ipvsadm -C` then `ipvsadm -R` of the whole new table (what a config-
#                   management run without a diff does; drops every connection's service)
#   delta           `ipvsadm -R` of the 1,100 edit lines (-D, -A, -a, -e) on top of the old table,
#                   written by hand or by a diff tool; the same ops ours computes itself
# Ours includes parsing keepalived.conf and reading the kernel table back before the diff.
# Figures: min / median / max over the repetitions; ratio = ipvsadm median / ours median (> 1:
# ours faster). The guest is TCG (software emulation): absolute times are slow, ratios fair.
#
# Usage: bench/table_apply.sh [options]
#   --reps N          repetitions in the guest (3)
#   --services N      virtual servers (1000); --reals N real servers each (10)
#   --slots LIST      nftables Maglev slots per service, primes, comma-separated (4093,1021,251)
#   --only LIST       ipvs, nft (both)
#   --build DIR       build directory (build)
# Needs root; qemu-system-x86_64, busybox-static, ipvsadm (the guest part is skipped without
# them); nft. Default run: about 3 to 6 minutes (mostly the TCG guest). Exit status 1 when a
# table did not come out as expected.
set -u

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPS=3 NVS=1000 NRS=10 SLOTS=4093,1021,251 ONLY=ipvs,nft BUILD=$root/build
while [ $# -gt 0 ]; do
    case $1 in
    --reps) REPS=$2; shift ;; --services) NVS=$2; shift ;; --reals) NRS=$2; shift ;;
    --slots) SLOTS=$2; shift ;; --only) ONLY=$2; shift ;; --build) BUILD=$2; shift ;;
    -h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 2; }
want() { [[ ",$ONLY," == *",$1,"* ]]; }
IPVS_APPLY=$BUILD/tests/tools/ipvs_apply NFT_APPLY=$BUILD/tests/tools/nft_apply
[ -x "$IPVS_APPLY" ] || IPVS_APPLY=$(find "$BUILD" -name ipvs_apply -type f -perm -u+x | head -1)
[ -x "$NFT_APPLY" ] || NFT_APPLY=$(find "$BUILD" -name nft_apply -type f -perm -u+x | head -1)
FAILS=0

# The data directory must be on the host's / (the guest sees it read-only over 9p).
D=$(mktemp -d /tmp/lvsd-table-bench.XXXXXX)
NS=""
cleanup() {
    [ -n "$NS" ] && ip netns del "$NS" 2>/dev/null
    rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# gen VARIANT: base|changed; writes $D/VARIANT.conf and $D/VARIANT.rules
gen() {
    awk -v nvs="$NVS" -v nrs="$NRS" -v variant="$1" -v conf="$D/$1.conf" -v rules="$D/$1.rules" '
    function vaddr(v, net) { return sprintf("10.%d.%d.%d", net, int(v / 250), v % 250 + 1) }
    function raddr(n) { return sprintf("172.%d.%d.%d", 16 + int(n / 62500), int(n / 250) % 250, n % 250 + 1) }
    function service(v, net, nbase, bump,   r, a, w) {
        a = vaddr(v, net)
        printf "virtual_server %s 80 {\n    lb_algo wrr\n    lb_kind DR\n    protocol TCP\n", a >conf
        printf "-A -t %s:80 -s wrr\n", a >rules
        for (r = 0; r < nrs; r++) {
            w = 1 + r % 3 + bump
            printf "    real_server %s 80 {\n        weight %d\n    }\n", raddr(nbase + r), w >conf
            printf "-a -t %s:80 -r %s:80 -g -w %d\n", a, raddr(nbase + r), w >rules
        }
        print "}" >conf
    }
    BEGIN {
        print "global_defs {\n    router_id TABLE_BENCH\n}" >conf
        for (v = 0; v < nvs; v++) {
            if (variant == "changed" && v % 20 == 0)        # replaced by a new service
                service(v, 2, nvs * nrs + v * nrs, 0)
            else if (variant == "changed" && v % 20 == 10)  # every real server reweighted
                service(v, 1, v * nrs, 1)
            else
                service(v, 1, v * nrs, 0)
        }
    }'
}
gen base
gen changed
# The edit lines ipvsadm needs for base -> changed (the same ops as ours).
awk -v nvs="$NVS" -v nrs="$NRS" '
    function vaddr(v, net) { return sprintf("10.%d.%d.%d", net, int(v / 250), v % 250 + 1) }
    function raddr(n) { return sprintf("172.%d.%d.%d", 16 + int(n / 62500), int(n / 250) % 250, n % 250 + 1) }
    BEGIN {
        for (v = 0; v < nvs; v += 20) printf "-D -t %s:80\n", vaddr(v, 1)
        for (v = 0; v < nvs; v += 20) {
            printf "-A -t %s:80 -s wrr\n", vaddr(v, 2)
            for (r = 0; r < nrs; r++)
                printf "-a -t %s:80 -r %s:80 -g -w %d\n", vaddr(v, 2), raddr(nvs * nrs + v * nrs + r), 1 + r % 3
        }
        for (v = 10; v < nvs; v += 20)
            for (r = 0; r < nrs; r++)
                printf "-e -t %s:80 -r %s:80 -g -w %d\n", vaddr(v, 1), raddr(v * nrs + r), 2 + r % 3
    }' >"$D/delta.rules"
nchg=$(awk -v n="$NVS" 'BEGIN { c = 0; for (v = 0; v < n; v++) if (v % 20 == 0 || v % 20 == 10) c++; print c }')
ops_change=$(wc -l <"$D/delta.rules")
printf 'OPS_FULL=%d\nOPS_CHANGE=%d\n' $((NVS + NVS * NRS)) "$ops_change" >"$D/expect"
chmod -R a+rX "$D"
echo "table:   $NVS services x $NRS real servers ($((NVS + NVS * NRS)) objects; keepalived.conf $(wc -l <"$D/base.conf") lines,"
echo "         ipvsadm rules $(wc -l <"$D/base.rules") lines); 10 % change: $ops_change ops ($nchg services touched)"
echo "host:    $(nproc) CPUs, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
mmm() {
    local all; all=$(sort -g)
    [ -n "$all" ] || { echo "n/a"; return; }
    printf '%s / %s / %s' "$(head -1 <<<"$all")" "$(median <<<"$all")" "$(tail -1 <<<"$all")"
}
ms() { awk '{ printf "%.1f\n", $1 / 1000 }'; } # µs -> ms

# ------------------------------------------------------------------ IPVS, in the guest
if want ipvs; then
    echo
    echo "== IPVS (Debian's kernel under qemu TCG, 1 vCPU; $REPS repetitions, ours and ipvsadm alternating) =="
    [ -x "$IPVS_APPLY" ] || { echo "no ipvs_apply in $BUILD (build target ipvs_apply)"; exit 2; }
    t0=$(date +%s)
    LVSD_VM_TIMEOUT=${LVSD_VM_TIMEOUT:-1200} LVSD_VM_MEM=${LVSD_VM_MEM:-1024} \
        "$root/tests/vm/ipvs-vm.sh" "$root/bench/guest/table_apply.sh" "$IPVS_APPLY" "$D" "$REPS" \
        >"$D/guest.log" 2>&1
    vrc=$?
    echo "guest run: exit $vrc in $(($(date +%s) - t0)) s"
    grep -E '^(ok|not ok|#|time:)' "$D/guest.log" | grep -v '^time:' | sed 's/^/  /'
    if [ $vrc = 77 ]; then
        echo "  skipped: $(grep SKIP "$D/guest.log")"
    else
        [ $vrc = 0 ] || { FAILS=$((FAILS + 1)); tail -30 "$D/guest.log"; }
        declare -A MED
        for w in ours_full ipvsadm_full ours_change ipvsadm_delta ipvsadm_flush_restore ours_same ours_parse ipvsadm_save; do
            vals=$(awk -v w=$w '$1 == "time:" && $2 == w { print $4 }' "$D/guest.log" | ms)
            MED[$w]=$(median <<<"$vals")
            printf '  %-32s %s ms  (min / median / max)\n' "$(case $w in
                ours_full) echo "ours, from empty" ;; ipvsadm_full) echo "ipvsadm -R, from empty" ;;
                ours_change) echo "ours, 10 % change" ;; ipvsadm_delta) echo "ipvsadm -R of the edit lines" ;;
                ipvsadm_flush_restore) echo "ipvsadm -C; ipvsadm -R new table" ;;
                ours_same) echo "ours, same config again (0 ops)" ;;
                ours_parse) echo "  parse + diff only (dry run)" ;;
                ipvsadm_save) echo "ipvsadm -S -n (reading the table)" ;; esac)" "$(mmm <<<"$vals")"
        done
        ratio() { awk -v a="${MED[$1]:-}" -v b="${MED[$2]:-}" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "n/a" }'; }
        echo "  ratio ipvsadm/ours, from empty:                        $(ratio ipvsadm_full ours_full) (target > 1: ours faster)"
        echo "  ratio ipvsadm/ours, 10 % change, ipvsadm -R of edits:  $(ratio ipvsadm_delta ours_change)"
        echo "  ratio ipvsadm/ours, 10 % change, ipvsadm -C then -R:   $(ratio ipvsadm_flush_restore ours_change)"
        awk -v c="${MED[ours_change]:-0}" -v s="${MED[ours_same]:-0}" -v p="${MED[ours_parse]:-0}" -v d="${MED[ipvsadm_delta]:-0}" -v v="${MED[ipvsadm_save]:-0}" -v n="$ops_change" 'BEGIN {
            printf "  ours, 10 %% change = %.0f ms fixed (parse + diff %.0f, kernel read-back %.0f) + %.0f ms for the %d ops\n", s, p, s - p, c - s, n
            printf "  ipvsadm with its own read-back (-S -n, then -R of the edits, the diff not counted): %.0f ms; ratio %.2f\n", v + d, (v + d) / c }'
    fi
fi

# ------------------------------------------------------------------ nftables, on this host
if want nft; then
    echo
    echo "== nftables backend (this host, in a network namespace of its own with a veth eth0; DR) =="
    [ -x "$NFT_APPLY" ] || { echo "no nft_apply in $BUILD (build target nft_apply)"; exit 2; }
    slab_kb() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }
    # Slab once it stops shrinking (a deleted namespace frees its tables asynchronously); bounded
    settled_slab() {
        local a b i
        a=$(slab_kb)
        for ((i = 0; i < 30; i++)); do
            sleep 0.5
            b=$(slab_kb)
            ((a - b < 2048)) && break
            a=$b
        done
        echo "$b"
    }
    # nft_run TAG CONF SLOTS: "seconds maxrss_kB ops rc"
    nft_run() {
        local tag=$1 conf=$2 slots=$3
        ip netns exec "$NS" /usr/bin/time -f '%e %M' -o "$D/$tag.time" \
            "$NFT_APPLY" --config "$conf" --interface eth0 --slots "$slots" >"$D/$tag.out" 2>"$D/$tag.err"
        local rc=$?
        echo "$(cat "$D/$tag.time" | tail -1) $(sed -n 's/^ops: //p' "$D/$tag.out") $rc"
    }
    IFS=, read -ra slot_list <<<"$SLOTS"
    settled_slab >/dev/null
    printf '  %-6s %-10s %-16s %-16s %-14s %s\n' slots "elements" "from empty" "10 % change" "same again" "kernel slab / nft_apply peak RSS"
    for slots in "${slot_list[@]}"; do
        NS=lvsd-tblbench-$$-$slots
        ip netns add "$NS"
        ip -n "$NS" link add eth0 type veth peer name eth1
        ip -n "$NS" link set eth0 up
        s0=$(settled_slab) # the previous namespace freed
        read -r t_full rss_full ops_full rc1 < <(nft_run "full-$slots" "$D/base.conf" "$slots")
        s1=$(slab_kb)
        read -r t_chg rss_chg ops_chg rc2 < <(nft_run "chg-$slots" "$D/changed.conf" "$slots")
        read -r t_same rss_same ops_same rc3 < <(nft_run "same-$slots" "$D/changed.conf" "$slots")
        # what the kernel holds: service vmap elements
        nmaps=$(ip netns exec "$NS" nft -t list maps netdev 2>/dev/null | grep -c '_new {' || true)
        # slot shares of one service's 10 real servers (weights 1, 2, 3, ...)
        share=$(ip netns exec "$NS" "$NFT_APPLY" --interface eth0 --slots "$slots" --slot-map 2>/dev/null |
            awk '$1 == "slots:" && / 10\.1\.0\.2:80 / { for (i = 3; i <= NF; i++) if ($i ~ /=/ && $i !~ /^drained/) { split($i, kv, "="); printf "%s ", kv[2] } }')
        ip netns del "$NS"
        NS=""
        printf '  %-6s %-10s %-16s %-16s %-14s %s\n' "$slots" "$((NVS * slots))" \
            "${t_full} s (${ops_full:-?} ops)" "${t_chg} s (${ops_chg:-?} ops)" "${t_same} s (${ops_same:-?})" \
            "$(((s1 - s0) / 1024)) MiB / $((rss_full / 1024)) MiB"
        echo "         rc $rc1/$rc2/$rc3; Maglev maps in the kernel: $nmaps; slots per real server of one service (weights 1..3): $share"
        if [ "$rc1$rc2$rc3" != 000 ] || [ "${ops_full:-}" != $((NVS + NVS * NRS)) ] ||
            [ "${ops_chg:-}" != "$ops_change" ] || [ "${ops_same:-}" != 0 ] || [ "$nmaps" != "$NVS" ]; then
            FAILS=$((FAILS + 1))
            echo "         FAIL: $(head -c 600 "$D/full-$slots.err" "$D/chg-$slots.err")"
        fi
    done
    echo "  (kernel slab: growth of Slab in /proc/meminfo across the apply from empty; the host is shared, so rough."
    echo "  No server is drained here, so no service has its <id>_est map and <id>_fresh set: about 2 MiB"
    echo "  each while they exist, see docs/dataplane.md)"
fi
echo
[ $FAILS = 0 ] && echo "done" || echo "$FAILS failure(s)"
[ $FAILS = 0 ]
