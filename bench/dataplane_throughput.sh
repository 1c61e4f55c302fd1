#!/usr/bin/env bash
# Dataplane throughput: wrk from a client through the VIP (lvs-director, nftables dataplane, DR)
# against wrk straight to the nginx real servers, in the same run, as requests/s and the ratio
# VIP / direct (target >= 0.95).
#
# Lab (tests/lab/lab.sh): namespaces lb1 10.77.0.1 (lvs-director, VRRPv3 master, VIP
# 10.77.0.100/32 on eth0, `lvs_dataplane nftables`), rs1 10.77.0.11 and rs2 10.77.0.12 (real nginx,
# one worker each, prepared by `lvs-realserver start --vip`: VIP on lo, arp_ignore/arp_announce),
# client 10.77.0.50, all on one bridge. Two DR services on the VIP:
#   VIP:80 -> rs1:80, rs2:80 (Maglev over two servers)      VIP:81 -> rs1:81 (one server)
# and, as the floor of this topology, a hand-written netdev table on lb1 (priority -600, ahead of
# ours) ("bare"): VIP:82 -> `fwd ip to rs1`, no lookup at all; VIP:83 -> rs1 or rs2 by
# `jhash ip saddr . tcp sport mod 2` in an anonymous map, the least a two-server forward needs.
# Scenarios (what is compared with what, like with like):
#   one    keep-alive, VIP:81 (one real server) against rs1:81 directly, and the bare rule. The
#          headline figure: the same nginx serves all three. vip/bare is what our ruleset
#          (vmap, Maglev map, jhash) costs over the cheapest possible DR forward; bare/direct is
#          what the extra hop through the director costs on this host by itself.
#   two    keep-alive, VIP:80 (two real servers) and the bare VIP:83 against both servers directly
#          at once: two wrk
#          side by side, each with half the threads and connections, one per server, their
#          requests/s summed. Same servers busy, same client threads and connections.
#   close  `Connection: close`, one real server as in "one" (with bare): every request is a new
#          connection, so its SYN, ACK and FIN all cross the director.
#   page   as "one", but each answer is a static file of --page-size KiB (16) instead of a few
#          bytes: the answers leave the real server straight to the client (that is what DR is
#          for), and only requests and ACKs cross the director.
# Each repetition runs the sides of a scenario back to back, VIP first in odd repetitions and
# direct first in even ones. Figures: requests/s per run, min / median / max, ratio of medians.
# The client, both nginx, wrk and all softirq share this host's CPUs: compare within one run only.
#
# Usage: bench/dataplane_throughput.sh [options]
#   --reps N          repetitions (3)
#   --duration S      seconds per wrk run (4)
#   --connections C   wrk connections (50)
#   --threads T       wrk threads (2)
#   --only LIST       comma-separated scenarios: one, two, close, page (all)
#   --page-size KIB   size of the "page" scenario's answer (16)
#   --director PATH   lvs-director binary (build/director/lvs-director)
#   --realserver PATH lvs-realserver binary (build/realserver/lvs-realserver)
# Default run: about 125 s. Needs root, the built binaries, wrk, nginx, curl. Exit status 1 when
# a wrk run failed, saw socket errors or non-2xx answers, or the VIP did not reach the servers.
set -u

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPS=3 DURATION=4 CONNS=50 THREADS=2 ONLY=one,two,close,page PAGE_KB=16
LVS_DIRECTOR=${LVS_DIRECTOR:-$root/build/director/lvs-director}
LVS_REALSERVER=${LVS_REALSERVER:-$root/build/realserver/lvs-realserver}
while [ $# -gt 0 ]; do
    case $1 in
    --reps) REPS=$2; shift ;; --duration) DURATION=$2; shift ;;
    --connections) CONNS=$2; shift ;; --threads) THREADS=$2; shift ;;
    --only) ONLY=$2; shift ;; --director) LVS_DIRECTOR=$2; shift ;;
    --realserver) LVS_REALSERVER=$2; shift ;;
    --page-size) PAGE_KB=$2; shift ;;
    -h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
source "$root/tests/lab/lab.sh"
source "$root/tests/lab/vrrp.sh"
source "$root/bench/lib.sh"
bench_require "$LVS_DIRECTOR" "$LVS_REALSERVER" -- wrk nginx curl
((THREADS >= 2 && CONNS >= 2 * THREADS)) || { echo "--threads >= 2 and --connections >= 2 x threads" >&2; exit 2; }
want() { [[ ",$ONLY," == *",$1,"* ]]; }

FAILS=0
# `Connection: close` at ~10k connections/s needs the client's port room.
bench_dr_lab

# nginx on :80 and :81, one worker, access log off, keep-alive connections never closed by the
# server (keepalive_requests), answering the node name.
bench_nginx() {
    local n=$1
    lab_nginx_run "$n" "$n" 81 4096 >/dev/null <<CONF
    keepalive_requests 10000000;
    server {
        listen 80;
        listen 81;
        listen 82;
        listen 83;
        location = /page { root $LAB_DIR/www; default_type application/octet-stream; }
        location / { return 200 "$n\n"; }
    }
CONF
}
# The "page" answer: nginx's workers (nobody) must reach it.
mkdir -p "$LAB_DIR/www"
head -c $((PAGE_KB * 1024)) /dev/urandom >"$LAB_DIR/www/page"
chmod 711 "$LAB_DIR" && chmod -R a+rX "$LAB_DIR/www"

for rs in rs1 rs2; do
    bench_nginx $rs || exit 1
    lab_exec $rs "$LVS_REALSERVER" start --vip $VIP >/dev/null 2>&1 || { echo "lvs-realserver start failed in $rs"; exit 1; }
done

conf=$LAB_DIR/lb1.conf
vrrp_conf "$conf" 3 0.1 100 $VIP/32 vrid=51 "global=router_id BENCH_LB1;lvs_dataplane nftables"
cat >>"$conf" <<C
virtual_server $VIP 80 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server $RS1 80 {
        weight 1
    }
    real_server $RS2 80 {
        weight 1
    }
}
virtual_server $VIP 81 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server $RS1 81 {
        weight 1
    }
}
C
"$LVS_DIRECTOR" -t -f "$conf" || { echo "lvs-director -t refused $conf"; exit 1; }
vrrp_start_ours lb1 "$conf" >/dev/null
vrrp_wait_holder 10 $VIP/32 lb1 lb1 || { echo "lb1 never held the VIP"; exit 1; }
lab_wait 10 lab_exec client curl -sf --noproxy '*' -m 1 "http://$VIP:81/" ||
    { echo "the VIP does not answer on :81"; cat "$LAB_DIR"/director-lb1.*.log; exit 1; }
lab_wait 5 lab_exec client curl -sf --noproxy '*' -m 1 "http://$VIP:80/" ||
    { echo "the VIP does not answer on :80"; exit 1; }

# The floor: one hand-written rule, before ours, for VIP:82 only.
lab_exec lb1 nft -f - <<NFT || { echo "cannot load the bare rule"; exit 1; }
table netdev bench_bare {
    chain ingress {
        type filter hook ingress device "eth0" priority -600; policy accept;
        meta pkttype host ip daddr $VIP tcp dport 82 fwd ip to $RS1 device "eth0"
        meta pkttype host ip daddr $VIP tcp dport 83 fwd ip to jhash ip saddr . tcp sport mod 2 map { 0 : $RS1, 1 : $RS2 } device "eth0"
    }
}
NFT
lab_wait 5 lab_exec client curl -sf --noproxy '*' -m 1 "http://$VIP:82/" ||
    { echo "the VIP does not answer on :82 (bare rule)"; exit 1; }
lab_wait 5 lab_exec client curl -sf --noproxy '*' -m 1 "http://$VIP:83/" ||
    { echo "the VIP does not answer on :83 (bare rule, two servers)"; exit 1; }

# Sanity: the client reaches the VIP at lb1's MAC (not a real server's: arp_ignore/announce), the
# director's DR table is the nftables one, and VIP:80 spreads new connections over both servers.
vip_mac=$(lab_exec client ip neigh show $VIP | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }')
lb1_mac=$(lab_mac lb1)
split=$(for ((i = 0; i < 40; i++)); do lab_exec client curl -s --noproxy '*' -m 1 "http://$VIP:80/" || echo FAIL; done | sort | uniq -c | tr -s ' \n' ' ')
dp=$(grep -ho 'dataplane: [a-z]* on [a-z0-9]*' "$LAB_DIR"/director-lb1.*.log | head -1)
rules=$(lab_exec lb1 nft list table netdev lvsd 2>/dev/null | grep -c 'fwd ip to')

echo "lvs-director: $LVS_DIRECTOR ($dp; $rules service chains with fwd in table netdev lvsd)"
echo "wrk:          $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); $THREADS threads, $CONNS connections, ${DURATION} s per run, $REPS repetitions"
echo "nginx:        $(nginx -v 2>&1 | sed 's/.*: //'), one worker per real server, keepalive_requests unlimited"
echo "host:         $(nproc) CPUs shared by client, director, both real servers; $(uname -r); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "VIP:          $VIP at the client's neighbour table as $vip_mac (lb1 is $lb1_mac); 40 new connections to VIP:80 answered by:$split"
[ "$vip_mac" = "$lb1_mac" ] || { echo "FAIL: the client does not reach the VIP through lb1"; FAILS=$((FAILS + 1)); }
[[ $split == *rs1* && $split == *rs2* && $split != *FAIL* ]] || { echo "FAIL: VIP:80 is not served by both real servers"; FAILS=$((FAILS + 1)); }

csum_errors() { # TcpInCsumErrors summed over both real servers
    local n s=0 v
    for n in rs1 rs2; do
        v=$(lab_exec $n awk '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "InCsumErrors") c = i; h = 1 } else print $c }' /proc/net/snmp)
        s=$((s + ${v:-0}))
    done
    echo $s
}
CSUM0=$(csum_errors)

# wrk_run TAG THREADS CONNS URL [HEADER]: runs wrk in the client; prints "req_per_s errors" where
# errors counts socket errors plus non-2xx/3xx answers.
wrk_run() {
    local tag=$1 t=$2 c=$3 url=$4 hdr=${5:-}
    local out="$LAB_DIR/wrk-$tag.out"
    lab_exec client wrk -t"$t" -c"$c" -d"${DURATION}s" --timeout 2s ${hdr:+-H "$hdr"} "$url" >"$out" 2>&1
    awk '/^Requests\/sec:/ { r = $2 }
        /^  Socket errors:/ { gsub(",", ""); e += $4 + $6 + $8 + $10 }
        /^  Non-2xx or 3xx responses:/ { e += $5 }
        END { if (r == "") print "FAIL"; else printf "%.0f %d\n", r, e }' "$out"
}

# side SCENARIO vip|direct TAG: one measurement; prints "req_per_s errors".
side() {
    local sc=$1 what=$2 tag=$3 hdr="" path=/
    [ "$sc" = close ] && hdr="Connection: close"
    [ "$sc" = page ] && path=/page
    case $sc-$what in
    one-vip | close-vip | page-vip) wrk_run "$tag" "$THREADS" "$CONNS" "http://$VIP:81$path" "$hdr" ;;
    one-bare | close-bare | page-bare) wrk_run "$tag" "$THREADS" "$CONNS" "http://$VIP:82$path" "$hdr" ;;
    one-direct | close-direct | page-direct) wrk_run "$tag" "$THREADS" "$CONNS" "http://$RS1:81$path" "$hdr" ;;
    two-vip) wrk_run "$tag" "$THREADS" "$CONNS" "http://$VIP:80/" ;;
    two-bare) wrk_run "$tag" "$THREADS" "$CONNS" "http://$VIP:83/" ;;
    two-direct)
        # both servers at once, half the threads and connections each
        local a b
        wrk_run "$tag-rs1" $((THREADS / 2)) $((CONNS / 2)) "http://$RS1:80/" >"$LAB_DIR/$tag-rs1.r" &
        a=$!
        wrk_run "$tag-rs2" $((THREADS - THREADS / 2)) $((CONNS - CONNS / 2)) "http://$RS2:80/" >"$LAB_DIR/$tag-rs2.r" &
        b=$!
        wait $a $b
        cat "$LAB_DIR/$tag-rs1.r" "$LAB_DIR/$tag-rs2.r" | awk '
            $1 == "FAIL" { f = 1 } { r += $1; e += $2 }
            END { if (f) print "FAIL"; else printf "%d %d\n", r, e }' ;;
    esac
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
mmm() { # "min / median / max" of the numbers on stdin
    local all; all=$(sort -g)
    [ -n "$all" ] || { echo "n/a"; return; }
    printf '%s / %s / %s' "$(head -1 <<<"$all")" "$(median <<<"$all")" "$(tail -1 <<<"$all")"
}

declare -A SUMMARY BARE
scenario() {
    local sc=$1 label=$2 i what r rps err sides=(vip bare direct)
    local -A vals=([vip]="" [bare]="" [direct]="")
    echo
    echo "== $sc: $label =="
    for ((i = 1; i <= REPS; i++)); do
        local order=("${sides[@]}")
        ((i % 2 == 0)) && order=($(printf '%s\n' "${sides[@]}" | tac))
        for what in "${order[@]}"; do
            r=$(side "$sc" "$what" "$sc-$what-$i")
            if [ "$r" = FAIL ]; then
                printf '  rep %d  %-6s  FAIL (wrk output in %s)\n' $i "$what" "$LAB_DIR/wrk-$sc-$what-$i*.out"
                FAILS=$((FAILS + 1)); LAB_KEEP=1
                continue
            fi
            read -r rps err <<<"$r"
            printf '  rep %d  %-6s  %8d requests/s  errors %d\n' $i "$what" "$rps" "$err"
            [ "$err" = 0 ] || { FAILS=$((FAILS + 1)); LAB_KEEP=1; }
            vals[$what]+="$rps"$'\n'
        done
    done
    local mv md mb
    for what in "${sides[@]}"; do
        printf '  %-6s requests/s min / median / max: %s\n' $what "$(printf '%s' "${vals[$what]}" | mmm)"
    done
    mv=$(printf '%s' "${vals[vip]}" | median) md=$(printf '%s' "${vals[direct]}" | median)
    mb=$(printf '%s' "${vals[bare]}" | median)
    if [ -n "$mv" ] && [ -n "$md" ]; then
        SUMMARY[$sc]=$(awk -v v="$mv" -v d="$md" 'BEGIN { printf "%.3f", v / d }')
        printf '  ratio VIP/direct (medians): %s (target >= 0.95: %s)\n' "${SUMMARY[$sc]}" \
            "$(awk -v r="${SUMMARY[$sc]}" 'BEGIN { print (r >= 0.95 ? "met" : "NOT met") }')"
    fi
    if [ -n "$mb" ] && [ -n "$md" ] && [ -n "$mv" ]; then
        BARE[$sc]=$(awk -v v="$mv" -v b="$mb" 'BEGIN { printf "%.3f", v / b }')
        printf '  ratio bare/direct: %s (the extra hop alone); ratio VIP/bare: %s (our ruleset against the bare rule)\n' \
            "$(awk -v b="$mb" -v d="$md" 'BEGIN { printf "%.3f", b / d }')" "${BARE[$sc]}"
    fi
}

# A short warm-up of every path (caches, neighbour entries, nginx), not counted.
DURATION_SAVED=$DURATION DURATION=1
for u in "http://$VIP:81/" "http://$VIP:82/" "http://$RS1:81/" "http://$VIP:80/" "http://$VIP:83/" "http://$RS2:80/" \
    "http://$VIP:81/page" "http://$RS1:81/page"; do
    wrk_run warmup "$THREADS" "$CONNS" "$u" >/dev/null
done
DURATION=$DURATION_SAVED

want one && scenario one "keep-alive; VIP:81 -> rs1 (one real server) against rs1:81 directly"
want two && scenario two "keep-alive; VIP:80 -> rs1, rs2 (and bare VIP:83) against rs1:80 and rs2:80 directly at once (two wrk, half the threads and connections each, summed)"
want close && scenario close "Connection: close (a new connection per request); VIP:81 -> rs1 against rs1:81 directly"
want page && scenario page "keep-alive, ${PAGE_KB} KiB answers; VIP:81 -> rs1 against rs1:81 directly"

CSUM1=$(csum_errors)
echo
echo "TcpInCsumErrors on the real servers during the run: $((CSUM1 - CSUM0)) (the netdev fwd path keeps the skb and its"
echo "checksum state, so the veth checksum-offload pitfall of XDP does not apply; offloads left on)"
echo "summary: ratio VIP/direct $(for s in one two close page; do [ -n "${SUMMARY[$s]:-}" ] && printf '%s %s  ' "$s" "${SUMMARY[$s]}"; done)(target >= 0.95)"
echo "         ratio VIP/bare   $(for s in one two close page; do [ -n "${BARE[$s]:-}" ] && printf '%s %s  ' "$s" "${BARE[$s]}"; done)"
[ $((CSUM1 - CSUM0)) = 0 ] || FAILS=$((FAILS + 1))
[ $FAILS = 0 ] && echo "done" || echo "$FAILS failure(s)"
[ $FAILS = 0 ]
