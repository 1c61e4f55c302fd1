#!/usr/bin/env bash
# lvs-realserver in DR mode on a real bridge: the VIP on lo:0, no ARP answers for it, nginx
# answering packets sent to the VIP the way a director would send them, and an exact restore.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lab/lab.sh"
RS=${LVS_REALSERVER:?path to lvs-realserver}
VIP=10.77.0.100

lab_init
lab_node client 10.77.0.10/24
lab_node rs1 10.77.0.11/24
lab_nginx rs1 80 rs1 >/dev/null || exit 1

# Values a host might have had before: they must come back exactly.
lab_exec rs1 sysctl -qw net.ipv4.conf.lo.arp_ignore=2 net.ipv4.conf.lo.arp_announce=1
lab_exec rs1 sysctl -qw net.ipv4.conf.all.arp_ignore=0 net.ipv4.conf.all.arp_announce=0
sysctls() { lab_exec rs1 sysctl -n net.ipv4.conf.lo.arp_ignore net.ipv4.conf.lo.arp_announce \
    net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.arp_announce | tr '\n' ' '; }
before=$(sysctls)

check "status before start exits 3 (stopped)" bash -c "ip netns exec $(lab_ns rs1) $RS status --vip $VIP >/dev/null; [ \$? = 3 ]"
out=$(lab_exec rs1 "$RS" start --vip $VIP 2>&1); rc=$?
echo "$out"
check "start exits 0" [ $rc = 0 ]
check "lo carries $VIP/32 with label lo:0" bash -c "ip -n $(lab_ns rs1) -4 addr show dev lo | grep -q 'inet $VIP/32 scope global lo:0'"
check "sysctls read 1 2 1 2 after start" [ "$(sysctls)" = "1 2 1 2 " ]

# A neighbour ARPs for the VIP: no reply. Its own address does reply (the probe works).
check "arping for the VIP gets no reply" bash -c "! ip netns exec $(lab_ns client) arping -c 3 -w 2 -I eth0 $VIP >/dev/null"
check "arping for the real server's own address does get a reply" lab_exec client arping -c 1 -w 2 -I eth0 10.77.0.11

# Route the VIP to the real server, as the director's DR forwarding does: MAC to rs1, IP dst VIP.
lab_exec client ip route add $VIP/32 via 10.77.0.11
body=$(lab_exec client curl -s --max-time 3 http://$VIP/)
check "nginx answers a request addressed to the VIP ($body)" [ "$body" = rs1 ]
check "the client did not learn rs1's MAC for the VIP" bash -c "! ip -n $(lab_ns client) neigh show $VIP | grep -q lladdr"

json=$(lab_exec rs1 "$RS" status --json --vip $VIP); rc=$?
check "status exits 0 when running" [ $rc = 0 ]
check "status --json says running and up" bash -c "echo '$json' | grep -q '\"state\": \"running\"' && echo '$json' | grep -q '\"agent\": \"up\"'"

out=$(lab_exec rs1 "$RS" start --vip $VIP 2>&1); rc=$?
check "a second start exits 0 and changes nothing ($out)" bash -c "[ $rc = 0 ] && [[ '$out' == *'nothing to change'* ]]"
check "still exactly one VIP on lo" [ "$(ip -n "$(lab_ns rs1)" -4 addr show dev lo | grep -c "$VIP/32")" = 1 ]

out=$(lab_exec rs1 "$RS" stop 2>&1); rc=$?
echo "$out"
check "stop exits 0" [ $rc = 0 ]
check "VIP gone after stop" bash -c "! ip -n $(lab_ns rs1) addr show dev lo | grep -q $VIP"
check "sysctls back to exactly '$before'" [ "$(sysctls)" = "$before" ]
out=$(lab_exec rs1 "$RS" stop 2>&1); rc=$?
check "stop when not started exits 0 and says so" bash -c "[ $rc = 0 ] && [[ '$out' == *'not started'* ]]"
check "status after stop exits 3" bash -c "ip netns exec $(lab_ns rs1) $RS status >/dev/null; [ \$? = 3 ]"

# A VIP the host already had is not ours: start leaves it, stop does not remove it.
lab_exec rs1 ip addr add 10.77.0.200/32 dev lo
lab_exec rs1 "$RS" start --vip 10.77.0.200 >/dev/null 2>&1
lab_exec rs1 "$RS" stop >/dev/null 2>&1
check "a VIP present before start survives stop" bash -c "ip -n $(lab_ns rs1) addr show dev lo | grep -q 10.77.0.200"

# Control: the same VIP on lo without the sysctls is answered, so the arping above can tell.
lab_exec rs1 sysctl -qw net.ipv4.conf.all.arp_ignore=0 net.ipv4.conf.eth0.arp_ignore=0
lab_exec rs1 ip addr add $VIP/32 dev lo
check "control: without arp_ignore the host answers ARP for a VIP on lo" lab_exec client arping -c 1 -w 2 -I eth0 $VIP
lab_exec rs1 ip addr del $VIP/32 dev lo

# Config file, several VIPs and IPv6: labels lo:0, lo:1; /128 for IPv6; HTTP readiness.
cat >"$LAB_DIR/rs.conf" <<CONF
virtual_ipaddress {
    $VIP            # first
    10.77.0.101     ! second
    fd00:77::100
}
service web {
    port 80
    http_get {
        path /healthz
        status_code 200
    }
}
CONF
lab_exec rs1 "$RS" start --config "$LAB_DIR/rs.conf" >/dev/null 2>&1
check "second IPv4 VIP labelled lo:1" bash -c "ip -n $(lab_ns rs1) -4 addr show dev lo | grep -q 'inet 10.77.0.101/32 scope global lo:1'"
check "IPv6 VIP as /128 on lo" bash -c "ip -n $(lab_ns rs1) -6 addr show dev lo | grep -q 'fd00:77::100/128'"
check "status with an HTTP probe is ready" bash -c "ip netns exec $(lab_ns rs1) $RS status --config $LAB_DIR/rs.conf | grep -q 'ready: yes'"
sed -i 's|/healthz|/broken|' "$LAB_DIR/rs.conf"
out=$(lab_exec rs1 "$RS" status --config "$LAB_DIR/rs.conf")
echo "$out"
check "a 503 from the HTTP probe makes it not ready" bash -c "[[ '$out' == *'-> 503, want 200'* ]] && [[ '$out' == *'ready: no'* ]]"
lab_exec rs1 "$RS" stop >/dev/null 2>&1
check "stop after a config start removes all three VIPs" bash -c "! ip -n $(lab_ns rs1) addr show dev lo | grep -Eq '10.77.0.100|10.77.0.101|fd00:77::100'"
check "sysctls still back to exactly '$before'" [ "$(sysctls)" = "$before" ]

lab_finish
