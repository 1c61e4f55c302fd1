#!/usr/bin/env bash
# The demo: builds lvsd and runs the classic "LVS + keepalived + nginx" recipe on network
# namespaces of this one machine: two directors (lvs-director, reading keepalived.conf), two nginx
# real servers (lvs-realserver), one client. It walks through what an operator checks by hand and
# removes everything at the end (--keep leaves the lab up to explore).
set -euo pipefail
cd "$(dirname "$0")/.."
KEEP=0
[ "${1:-}" = --keep ] && KEEP=1
if [ "$(id -u)" != 0 ]; then
    echo "demo.sh: run as root (network namespaces, sysctls)" >&2
    exit 4
fi
bash scripts/bootstrap.sh >/dev/null
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target lvs-director lvs-realserver lvsctl >/dev/null
RS=$PWD/build/realserver/lvs-realserver
LVS_DIRECTOR=$PWD/build/director/lvs-director
LVSCTL=$PWD/build/tools/lvsctl
. tests/lab/lab.sh
. tests/lab/vrrp.sh
. tests/lab/recipe.sh
set +e
VIP=10.77.0.100

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }
in_ns() { local n=$1; shift; ip netns exec "$(lab_ns "$n")" "$@"; }
holder() { local h; h=$(vrrp_holders $VIP/32 lb1 lb2); echo "${h:-nobody}"; }
requests() { # requests N: which server answered each, and the split
    local i out all=""
    for ((i = 1; i <= $1; i++)); do
        out=$(in_ns client curl -s -m 1 "http://$VIP/" || echo "(failed)")
        printf '  request %2d -> %s\n' "$i" "$out"
        all+="$out"$'\n'
    done
    printf '  split: rs1 %d, rs2 %d, failed %d\n' "$(grep -cx rs1 <<<"$all")" \
        "$(grep -cx rs2 <<<"$all")" "$(grep -cx '(failed)' <<<"$all")"
}

lab_init
lab_node lb1 10.77.0.1/24
lab_node lb2 10.77.0.2/24
lab_node rs1 10.77.0.11/24
lab_node rs2 10.77.0.12/24
lab_node client 10.77.0.50/24

recipe_conf MASTER 100 $VIP >"$LAB_DIR/lb1.conf"
recipe_conf BACKUP 50 $VIP >"$LAB_DIR/lb2.conf"

say "The directors' keepalived.conf (lb1; lb2 is BACKUP, priority 50), checked by lvs-director -t"
cat "$LAB_DIR/lb1.conf"
show "$LVS_DIRECTOR" -t -f "$LAB_DIR/lb1.conf" && echo "(valid)"

say "Real servers: nginx, and lvs-realserver instead of /etc/init.d/realserver"
ngx1=$(lab_nginx rs1 80 rs1)
ngx2=$(lab_nginx rs2 80 rs2)
for rs in rs1 rs2; do
    show in_ns $rs "$RS" start --vip $VIP
done

say "Directors start; VRRP elects lb1 (priority 100)"
p1=$(vrrp_start_ours lb1 "$LAB_DIR/lb1.conf")
p2=$(vrrp_start_ours lb2 "$LAB_DIR/lb2.conf")
vrrp_wait_holder 10 $VIP/32 lb1 lb1 lb2 >/dev/null
echo "VIP $VIP is held by: $(holder)"

say "1. The VIP answers; requests through it reach both nginx servers (DR, rr)"
show in_ns client ping -q -c 2 -W 1 $VIP
requests 8

say "2. The table on the master, as ipvsadm -Ln would print it"
show in_ns lb1 "$LVSCTL" list
show in_ns lb1 "$LVSCTL" vrrp

say "3. The master director stops; the backup takes the VIP; the client keeps being served"
# A probe every 20 ms; the gap is the longest time between two answered probes.
in_ns client bash -c "for i in \$(seq 200); do
    t=\$(date +%s%N); curl -s -m 0.5 http://$VIP/ >/dev/null && echo \$t; sleep 0.02; done" \
    >"$LAB_DIR/probe.txt" &
probe=$!
sleep 0.5
show kill -TERM "$p1"
vrrp_wait_holder 5 $VIP/32 lb2 lb1 lb2 >/dev/null
echo "VIP $VIP is held by: $(holder)"
requests 4
wait $probe
gap=$(awk 'NR > 1 { d = ($1 - p) / 1e6; if (d > m) m = d } { p = $1 } END { printf "%.0f", m }' \
    "$LAB_DIR/probe.txt")
echo "longest gap between answered probes (every 20 ms): ${gap} ms"
say "   lb1 comes back and takes the VIP again (preemption)"
p1=$(vrrp_start_ours lb1 "$LAB_DIR/lb1.conf")
vrrp_wait_holder 10 $VIP/32 lb1 lb1 lb2 >/dev/null
echo "VIP $VIP is held by: $(holder)"

say "4. nginx stops on rs2: the health check takes it out of the table"
show kill -TERM "$ngx2" # nginx's master, by the PID the lab recorded
lab_wait 8 bash -c "! ip netns exec $(lab_ns lb1) $LVSCTL list | grep -q 10.77.0.12"
show in_ns lb1 "$LVSCTL" list
requests 4
say "   nginx is back on rs2: the check puts it back"
lab_nginx rs2 80 rs2 >/dev/null
lab_wait 8 bash -c "ip netns exec $(lab_ns lb1) $LVSCTL list | grep -q 10.77.0.12"
show in_ns lb1 "$LVSCTL" list
requests 4

say "Real servers stop: the VIP goes and the sysctls return to what the host had"
show in_ns rs1 "$RS" stop
show in_ns rs2 "$RS" stop

if [ $KEEP = 1 ]; then
    trap - EXIT
    {
        echo "#!/bin/bash"
        echo "# Removes the demo lab $LAB_ID."
        echo "LAB_ID=$LAB_ID LAB_DIR=$LAB_DIR"
        echo "LAB_NODES=(${LAB_NODES[*]})"
        echo ". $PWD/tests/lab/lab.sh"
        echo "LAB_ID=$LAB_ID; LAB_DIR=$LAB_DIR; LAB_NODES=(${LAB_NODES[*]}); lab_teardown"
    } >"$LAB_DIR/cleanup.sh"
    say "Lab kept: namespaces $LAB_ID-{lb1,lb2,rs1,rs2,client}"
    echo "  try: ip netns exec $LAB_ID-client curl http://$VIP/"
    echo "       ip netns exec $LAB_ID-lb1 $LVSCTL list"
    echo "  remove it with: bash $LAB_DIR/cleanup.sh"
    exit 0
fi
say "Done; the lab is being removed"
