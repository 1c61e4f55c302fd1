#!/usr/bin/env bash
# Times `lvs-director -t` and `keepalived -t` on a generated configuration with 10,000 virtual
# servers and 100,000 real servers (each with a TCP_CHECK), and prints both times and the ratio.
#
# Usage: bench/config_parse.sh [LVS_DIRECTOR] [VIRTUAL_SERVERS] [REALS_PER_SERVER]
#        (defaults: build/director/lvs-director, 10000, 10)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
director=${1:-$root/build/director/lvs-director}
nvs=${2:-10000}
nrs=${3:-10}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
conf=$tmp/big.conf

# Addresses are spread so that no two services or real servers collide.
awk -v nvs="$nvs" -v nrs="$nrs" 'BEGIN {
    print "global_defs {\n    router_id BENCH\n}\n"
    for (v = 0; v < nvs; v++) {
        printf "virtual_server 10.%d.%d.%d 80 {\n", int(v / 65536) % 256, int(v / 256) % 256, v % 256
        print "    delay_loop 6\n    lvs_sched wrr\n    lvs_method DR\n    protocol TCP"
        for (r = 0; r < nrs; r++) {
            n = v * nrs + r
            printf "    real_server 172.%d.%d.%d 80 {\n", 16 + int(n / 65536) % 16, int(n / 256) % 256, n % 256
            print "        weight 1\n        TCP_CHECK {\n            connect_timeout 3\n            retry 2"
            print "            delay_before_retry 1\n        }\n    }"
        }
        print "}"
    }
}' >"$conf"
echo "config: $nvs virtual servers, $((nvs * nrs)) real servers, $(wc -l <"$conf") lines, $(du -h "$conf" | cut -f1)"

# Wall-clock seconds of one command; its output is discarded, its exit status reported.
time_of() {
    local start end rc=0
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || rc=$?
    end=$(date +%s.%N)
    echo "$(echo "$end - $start" | bc) $rc"
}

read -r ours ours_rc < <(time_of "$director" -t -f "$conf")
echo "lvs-director -t: ${ours} s (exit $ours_rc)"
if command -v keepalived >/dev/null; then
    read -r ka ka_rc < <(time_of timeout 600 keepalived -t -n -l -f "$conf")
    echo "keepalived -t:   ${ka} s (exit $ka_rc)"
    echo "ratio keepalived/lvs-director: $(echo "scale=1; $ka / $ours" | bc)x"
else
    echo "keepalived is not installed: no comparison"
fi
