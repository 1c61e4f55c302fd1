#!/usr/bin/env bash
# The health checkers against their peer: keepalived's own checker process (Debian's keepalived,
# `keepalived -C`) and our check_run (CheckerSet, as lvs-director runs it) on the same generated
# keepalived.conf, one after the other in the same guest run. keepalived's checker will not run
# without IPVS, which this host's kernel lacks, so both run in Debian's kernel under qemu TCG
# (tests/vm/ipvs-vm.sh; the guest sees the host's / read-only, so the binaries run at their host
# paths with the host's libraries: nothing is copied). The guest script is bench/guest/checks.sh.
#
# The config: one virtual server (NAT: keepalived resets a DR real server's port to the virtual
# server's), N real servers on 10.77.0.21 ports 20000.., TCP_CHECK (or
# HTTP_GET of /) with delay_loop 1, connect_timeout 2, retry 0. The real servers are one nginx in
# the guest; its stub_status "accepts" counter counts the checks each checker made in the window.
# Figures per checker: CPU of the checking process (utime+stime over the window, after a warm-up)
# as % of one vCPU, checks per second, µs of CPU per check (all, and user time alone), servers
# marked down (must be 0). Ratio = ours / keepalived µs per check (< 1: ours cheaper). As in
# bench/checks.sh, loopback delivers synchronously, so the nginx side's kernel work lands partly
# in the checker's system time, for both alike: the user time is each checker's own cost. TCG is
# ~10x slower than native, and at 1,000 servers the one vCPU (checker + nginx) is nearly full:
# compare the ratios, not absolute figures.
#
# Usage: bench/checks_peer.sh [options]     (also: bench/checks.sh --peer [options])
#   --kinds LIST      tcp, http (tcp,http)
#   --servers LIST    real-server counts (500,1000)
#   --window S        measurement window per run, seconds (20); --warmup S (6)
#   --reps N          runs of each (kind, servers) per checker (1); the table then adds the median
#   --build DIR       build directory (build)
# Needs root and what tests/vm/ipvs-vm.sh needs, plus keepalived, nginx and curl on the host.
# Exit status 1 when a run failed or a checker marked a server down.
set -u

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KINDS=tcp,http SERVERS=500,1000 WINDOW=20 WARMUP=6 REPS=1 BUILD=$root/build
while [ $# -gt 0 ]; do
    case $1 in
    --kinds) KINDS=$2; shift ;; --servers) SERVERS=$2; shift ;; --window) WINDOW=$2; shift ;;
    --warmup) WARMUP=$2; shift ;; --reps) REPS=$2; shift ;; --build) BUILD=$2; shift ;;
    -h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 2; }
RUN=$BUILD/tests/tools/check_run
[ -x "$RUN" ] || { echo "check_run not built at $RUN (build target check_run)" >&2; exit 2; }
for c in keepalived nginx curl; do command -v $c >/dev/null || { echo "$c missing" >&2; exit 2; }; done

# The data directory must be on the host's / (the guest sees it read-only over 9p).
D=$(mktemp -d /tmp/lvsd-checks-peer.XXXXXX)
trap 'rm -rf "$D"' EXIT
trap 'exit 130' INT TERM

IFS=, read -ra kinds <<<"$KINDS"
IFS=, read -ra counts <<<"$SERVERS"
for kind in "${kinds[@]}"; do
    case $kind in tcp | http) ;; *) echo "kind: tcp or http" >&2; exit 2 ;; esac
    for n in "${counts[@]}"; do
        for ((r = 0; r < REPS; r++)); do echo "$kind $n" >>"$D/runs"; done
        awk -v total="$n" -v kind="$kind" 'BEGIN {
            print "global_defs {\n    router_id CHECKS_BENCH\n}"
            print "virtual_server 10.77.1.1 80 {\n    delay_loop 1\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP"
            for (i = 0; i < total; i++) {
                printf "    real_server 10.77.0.21 %d {\n", 20000 + i
                if (kind == "tcp")
                    print "        TCP_CHECK {\n            connect_timeout 2\n            retry 0\n        }"
                else
                    print "        HTTP_GET {\n            url {\n                path /\n                status_code 200\n            }\n            connect_timeout 2\n            retry 0\n        }"
                print "    }"
            }
            print "}"
        }' >"$D/$kind-$n.conf"
    done
done
chmod -R a+rX "$D"
nruns=$(wc -l <"$D/runs")
echo "checks vs keepalived: ${KINDS^^} x ${SERVERS} real servers, delay_loop 1, ${WINDOW} s window after ${WARMUP} s warm-up"
echo "host:    $(nproc) CPUs, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"

t0=$(date +%s)
LVSD_VM_TIMEOUT=${LVSD_VM_TIMEOUT:-$((120 + nruns * 2 * (WINDOW + WARMUP + 30)))} \
    LVSD_VM_MEM=${LVSD_VM_MEM:-1024} \
    "$root/tests/vm/ipvs-vm.sh" "$root/bench/guest/checks.sh" "$RUN" "$D" "$WINDOW" "$WARMUP" \
    >"$D/guest.log" 2>&1
vrc=$?
echo "guest run: exit $vrc in $(($(date +%s) - t0)) s"
grep -E '^(ok|not ok|#)' "$D/guest.log" | sed 's/^/  /'
if [ $vrc = 77 ]; then
    echo "  skipped: $(grep SKIP "$D/guest.log")"
    exit 0
fi
[ $vrc = 0 ] || tail -30 "$D/guest.log"

# run: CHECKER KIND N TICKS UTICKS HZ WALL_MS ACCEPTS DOWNS ENDUP; each run's figures, then the
# median over the repetitions of each (kind, servers, checker)
awk '$1 == "run:" { print }' "$D/guest.log" >"$D/results"
printf '  %-5s %6s  %-10s %7s %7s %8s %9s %9s %6s %s\n' kind servers checker "CPU %" "user %" checks/s "µs/check" "user µs" downs "up at end"
awk -v reps="$REPS" '
function med(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function row(tag, kind, n, who, cpu, ucpu, rate, us, uus, downs, up) {
    printf "  %-5s %6d  %-10s %7.1f %7.1f %8.0f %9.1f %9.1f %6d %s%s\n", kind, n, who, cpu, ucpu, rate, us, uus, downs, up, tag
}
{
    cpu = 100 * $5 / $7 / ($8 / 1000); ucpu = 100 * $6 / $7 / ($8 / 1000)
    rate = $9 / ($8 / 1000); us = $9 > 0 ? 1e6 * $5 / $7 / $9 : 0; uus = $9 > 0 ? 1e6 * $6 / $7 / $9 : 0
    if (reps > 1) row("  (run)", $3, $4, $2, cpu, ucpu, rate, us, uus, $10, $11)
    g = $3 " " $4 " " $2; c = ++cnt[g]
    v[g, "cpu", c] = cpu; v[g, "ucpu", c] = ucpu; v[g, "rate", c] = rate; v[g, "us", c] = us; v[g, "uus", c] = uus
    downs[g] += $10; if (!(g in up) || $11 < up[g]) up[g] = $11
    if (!(g in seen)) { seen[g] = 1; order[++k] = g }
}
END {
    if (reps > 1) print "  median over " reps " runs each:"
    for (i = 1; i <= k; i++) {
        g = order[i]; split(g, f, " ")
        for (m = 1; m <= 5; m++) {
            name = m == 1 ? "cpu" : m == 2 ? "ucpu" : m == 3 ? "rate" : m == 4 ? "us" : "uus"
            delete a
            for (c = 1; c <= cnt[g]; c++) a[c] = v[g, name, c]
            M[g, name] = med(a, cnt[g])
        }
        row("", f[1], f[2], f[3], M[g, "cpu"], M[g, "ucpu"], M[g, "rate"], M[g, "us"], M[g, "uus"], downs[g], up[g])
        key = f[1] " " f[2]; if (!(key in kseen)) { kseen[key] = 1; korder[++kk] = key }
    }
    for (i = 1; i <= kk; i++) {
        o = M[korder[i] " ours", "us"]; p = M[korder[i] " keepalived", "us"]
        uo = M[korder[i] " ours", "uus"]; up2 = M[korder[i] " keepalived", "uus"]
        if (o > 0 && p > 0)
            printf "  ratio ours/keepalived, µs per check, %s: %.2f (user time only: %s; < 1: ours cheaper)\n", korder[i], o / p, (up2 > 0 ? sprintf("%.2f", uo / up2) : "n/a")
    }
}' "$D/results"
bad=$(awk '$10 != 0 || $11 != $4' "$D/results" | wc -l)
[ "$(wc -l <"$D/results")" = $((2 * nruns)) ] || bad=$((bad + 1))
[ $vrc = 0 ] && [ "$bad" = 0 ] && echo "done" || { echo "failure(s): guest exit $vrc, $bad bad run(s)"; exit 1; }
