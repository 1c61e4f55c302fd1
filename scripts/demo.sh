#!/usr/bin/env bash
# The demo: builds lvsd and shows it at work on network namespaces of this one machine.
# Today: two nginx real servers held by lvs-realserver, a client reaching them through the VIP
# the way a DR director forwards, and an exact restore on stop.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
    echo "demo.sh: run as root (network namespaces, sysctls)" >&2
    exit 4
fi
bash scripts/bootstrap.sh >/dev/null
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
RS=$PWD/build/realserver/lvs-realserver
. tests/lab/lab.sh
VIP=10.77.0.100

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

lab_init
lab_node client 10.77.0.10/24
lab_node rs1 10.77.0.11/24
lab_node rs2 10.77.0.12/24
lab_nginx rs1 80 "hello from rs1" >/dev/null
lab_nginx rs2 80 "hello from rs2" >/dev/null

say "Both real servers start lvs-realserver (instead of /etc/init.d/realserver)"
for rs in rs1 rs2; do
    show ip netns exec "$(lab_ns $rs)" "$RS" start --vip $VIP
done
show ip -n "$(lab_ns rs1)" -4 addr show dev lo
show ip netns exec "$(lab_ns rs1)" "$RS" status

say "The client asks who has the VIP: neither real server answers (arp_ignore=1)"
show ip netns exec "$(lab_ns client)" arping -c 2 -w 2 -I eth0 $VIP || echo "(no reply, as wanted)"

say "Packets for the VIP sent to each real server's MAC, as an LVS-DR director forwards them"
for ip in 10.77.0.11 10.77.0.12; do
    ip -n "$(lab_ns client)" route replace $VIP/32 via $ip
    show ip netns exec "$(lab_ns client)" curl -s --max-time 3 http://$VIP/
done

say "Stop: the VIP goes and every sysctl returns to exactly what the host had"
show ip netns exec "$(lab_ns rs1)" "$RS" stop
show ip netns exec "$(lab_ns rs1)" sysctl net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.arp_announce
show ip netns exec "$(lab_ns rs2)" "$RS" stop

say "Done; the lab is being removed"
