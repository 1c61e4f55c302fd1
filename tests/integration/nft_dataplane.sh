#!/usr/bin/env bash
# The nftables dataplane (nft_apply on NftBackend) in the namespace lab, with real nginx on four
# real servers prepared by the real lvs-realserver (VIP on lo, arp_ignore/arp_announce):
#   DR   client 10.77.0.10 → VIP 10.77.0.100:80 on the director (netdev ingress, Maglev slots)
#   NAT  nclient 10.78.0.10 → VIP 10.77.0.200:80 routed through the director (dnat, conntrack)
#   FWM  nclient → 10.77.0.201:80, marked 7 in the director's prerouting: fwmark NAT service
# Checks: both servers answer; weights 3:1 give 3:1 over 1,000 connections (±10 %); applying the
# same config again issues no op; removing one of four servers moves only its flows (same
# source ports before and after); draining a server (weight 0) sends it no new flow while an
# established keep-alive connection keeps it; four keep-alive connections survive a failover to a
# second director with the same config and back. All traffic stays inside the lab's namespaces.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lab/lab.sh"
RS=${LVS_REALSERVER:?path to lvs-realserver}
NFT_APPLY=${NFT_APPLY:-$(dirname "${LVS_DIRECTOR:?path to lvs-director}")/../tests/nft_apply}
[ -x "$NFT_APPLY" ] || { echo "nft_apply not found at $NFT_APPLY"; exit 1; }
command -v python3 >/dev/null || { echo "python3 is needed"; exit 77; }
VIP=10.77.0.100
NVIP=10.77.0.200

lab_init
lab_node client 10.77.0.10/24
lab_node nclient 10.78.0.10/24
lab_node lb 10.77.0.2/24 10.78.0.2/24
lab_node lb2 10.77.0.3/24
for i in 1 2 3 4; do lab_node rs$i 10.77.0.1$i/24; done

# Director: owns the VIP (as VRRP would), routes for NAT.
lab_exec lb ip addr add $VIP/32 dev eth0
lab_exec lb sysctl -qw net.ipv4.ip_forward=1
lab_exec nclient ip route add 10.77.0.0/24 via 10.78.0.2
for i in 1 2 3 4; do
    lab_nginx rs$i 80 rs$i >/dev/null || exit 1
    lab_exec rs$i "$RS" start --vip $VIP >/dev/null 2>&1 || { echo "lvs-realserver start failed in rs$i"; exit 1; }
    lab_exec rs$i ip route add default via 10.77.0.2 # NAT replies go back through the director
done
check "rs1 carries the VIP on lo with arp_ignore=1 arp_announce=2" bash -c \
    "ip -n $(lab_ns rs1) -4 addr show dev lo | grep -q '$VIP/32' &&
     [ \"\$(ip netns exec $(lab_ns rs1) sysctl -n net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.arp_announce | tr '\n' ' ')\" = '1 2 ' ]"

# The probe: one connection per source port, HTTP/1.0, closed with a reset so that the same
# port can be used again at once (no TIME_WAIT). Prints "PORT BODY" or "PORT ERR".
cat >"$LAB_DIR/probe.py" <<'PY'
import http.client, os, socket, struct, sys, time
def sweep(src, vip, first, count):
    for port in range(first, first + count):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        s.settimeout(2)
        try:
            s.bind((src, port)); s.connect((vip, 80))
            s.sendall(b"GET / HTTP/1.0\r\nHost: vip\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            print(port, data.split(b"\r\n\r\n", 1)[1].decode().strip())
        except Exception as e:
            print(port, "ERR")
        finally:
            s.close()
def hold(vip, flagdir, rounds):
    # One keep-alive connection; a request now and one each time flagdir/N appears.
    c = http.client.HTTPConnection(vip, 80, timeout=5)
    for n in range(rounds):
        if n:
            deadline = time.time() + 60
            while not os.path.exists(f"{flagdir}/{n}") and time.time() < deadline:
                time.sleep(0.05)
        c.request("GET", "/")
        r = c.getresponse()
        print(n, r.read().decode().strip(), c.sock.getsockname()[1], flush=True)
    c.close()
if sys.argv[1] == "sweep":
    sweep(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
else:
    hold(sys.argv[2], sys.argv[3], int(sys.argv[4]))
PY
sweep() { lab_exec "$1" timeout 120 python3 "$LAB_DIR/probe.py" sweep "$2" "$3" "$4" "$5"; }
count() { awk -v b="$2" '$2 == b { n++ } END { print n + 0 }' "$1"; }

# conf FILE DR_WEIGHTS... [-- NAT_WEIGHTS...]: one DR service with rs1.. at the given weights
# (an empty string leaves that server out), optionally a NAT service too.
conf() {
    local f=$1 i=0 w; shift
    {
        echo "virtual_server $VIP 80 {"
        echo "    lvs_sched mh"
        echo "    lvs_method DR"
        while [ $# -gt 0 ] && [ "$1" != -- ]; do
            i=$((i + 1)); w=$1; shift
            [ -n "$w" ] && printf '    real_server 10.77.0.1%s 80 {\n        weight %s\n    }\n' $i "$w"
        done
        echo "}"
        if [ "${1:-}" = -- ]; then
            shift; i=0
            echo "virtual_server $NVIP 80 {"
            echo "    lvs_sched mh"
            echo "    lvs_method NAT"
            for w in "$@"; do
                i=$((i + 1))
                [ -n "$w" ] && printf '    real_server 10.77.0.1%s 80 {\n        weight %s\n    }\n' $i "$w"
            done
            echo "}"
        fi
    } >"$LAB_DIR/$f"
}
apply() { lab_exec lb "$NFT_APPLY" --interface eth0 --config "$LAB_DIR/$1" "${@:2}"; }

# --- DR, weights 3:1 ---------------------------------------------------------------------
conf w31.conf 3 1
out=$(apply w31.conf); rc=$?
echo "$out" | tail -1
check "DR config applies (rc $rc)" [ $rc = 0 ]
check "our table is netdev lvsd on eth0, no other table touched" bash -c \
    "[ \"\$(ip netns exec $(lab_ns lb) nft list tables)\" = 'table netdev lvsd' ]"

bodies=""
for n in $(seq 1 40); do bodies+="$(lab_exec client curl -s --max-time 2 http://$VIP/) "; done
check "curl through the VIP reaches rs1" bash -c "[[ '$bodies' == *rs1* ]]"
check "curl through the VIP reaches rs2" bash -c "[[ '$bodies' == *rs2* ]]"

start=$SECONDS
sweep client 10.77.0.10 $VIP 20000 1000 >"$LAB_DIR/w31.txt"
n1=$(count "$LAB_DIR/w31.txt" rs1); n2=$(count "$LAB_DIR/w31.txt" rs2)
echo "1000 DR connections in $((SECONDS - start)) s: rs1 $n1, rs2 $n2"
check "all 1000 DR connections answered" [ $((n1 + n2)) = 1000 ]
check "weights 3:1 give 3:1 within 10 % (rs1 $n1 of 1000, 675..825)" \
    bash -c "[ $n1 -ge 675 ] && [ $n1 -le 825 ]"

out=$(apply w31.conf)
check "applying the same config again issues no op" bash -c "echo '$out' | grep -qx 'ops: 0'"
drain_objects() { ip netns exec "$(lab_ns lb)" nft list table netdev lvsd | grep -c '^\s*\(set\|map\) s[0-9a-f]*_\(est\|fresh\) {'; }
check "no drain, no drain objects (_est, _fresh: 2 MiB of kernel memory each)" \
    [ "$(drain_objects)" = 0 ]

# --- removing one of four moves only its flows --------------------------------------------
conf four.conf 1 1 1 1
apply four.conf >/dev/null
sweep client 10.77.0.10 $VIP 22000 1000 >"$LAB_DIR/four.txt"
conf three.conf 1 1 "" 1
out=$(apply three.conf)
check "removing rs3 is one op" bash -c "echo '$out' | grep -qx 'ops: 1'"
sweep client 10.77.0.10 $VIP 22000 1000 >"$LAB_DIR/three.txt"
read -r on3 moved_other errs < <(join "$LAB_DIR/four.txt" "$LAB_DIR/three.txt" | awk '
    $2 == "rs3" { on3++ } $2 != "rs3" && $2 != $3 { other++ } $3 == "ERR" || $3 == "rs3" { err++ }
    END { print on3 + 0, other + 0, err + 0 }')
echo "rs3 had $on3 of 1000 flows; after removing it $moved_other other flows moved, $errs failed or still on rs3"
check "rs3 had about a quarter of the flows ($on3)" bash -c "[ $on3 -ge 150 ] && [ $on3 -le 350 ]"
check "removing rs3 moves at most 2 % of the other flows ($moved_other)" [ "$moved_other" -le 20 ]
check "no flow fails or stays on rs3 ($errs)" [ "$errs" = 0 ]

# --- drain: weight 0 keeps established flows, takes no new ones ---------------------------
apply four.conf >/dev/null
mkdir -p "$LAB_DIR/flags"
hold=$(lab_spawn client hold python3 -u "$LAB_DIR/probe.py" hold $VIP "$LAB_DIR/flags" 3)
lab_wait 10 grep -q '^0 ' "$LAB_DIR/hold.log"
held=$(awk '$1 == 0 { print $2 }' "$LAB_DIR/hold.log")
echo "keep-alive connection is on '$held'"
check "the keep-alive connection got an answer" bash -c "[[ '$held' == rs[1-4] ]]"
k=${held#rs}
out=$(apply four.conf --weight 0:$((k - 1))=0)
check "draining $held is one edit" bash -c "echo '$out' | grep -qx 'ops: 1'"
check "the drain creates its objects (_est, _fresh)" [ "$(drain_objects)" = 2 ]
touch "$LAB_DIR/flags/1"
lab_wait 10 grep -q '^1 ' "$LAB_DIR/hold.log"
check "the established keep-alive connection still reaches $held after the drain" \
    bash -c "grep -q '^1 $held ' '$LAB_DIR/hold.log'"
sweep client 10.77.0.10 $VIP 24000 400 >"$LAB_DIR/drain.txt"
nd=$(count "$LAB_DIR/drain.txt" "$held"); ne=$(count "$LAB_DIR/drain.txt" ERR)
check "no new flow goes to the drained $held ($nd of 400)" [ "$nd" = 0 ]
check "every new flow during the drain is answered ($ne failed)" [ "$ne" = 0 ]
out=$(apply four.conf --weight 0:$((k - 1))=0 --slot-map)
drained=$(echo "$out" | sed -n 's/.*drained=\([0-9]*\).*/\1/p')
check "re-applying the drain is no op, and the drained slots read back ($drained)" \
    bash -c "echo '$out' | grep -qx 'ops: 0' && [ '${drained:-0}' -gt 0 ]"
touch "$LAB_DIR/flags/2"
lab_wait 10 grep -q '^2 ' "$LAB_DIR/hold.log"
check "the keep-alive connection still reaches $held after 400 new flows" \
    bash -c "grep -q '^2 $held ' '$LAB_DIR/hold.log'"
lab_stop "$hold"
# Taking the server back: no drained slot is left.
out=$(apply four.conf --slot-map)
check "undrained: the service has no drained slot left" bash -c "echo '$out' | grep -q 'drained=0'"
check "undrained: the drain objects are gone" [ "$(drain_objects)" = 0 ]
before=$(ip netns exec "$(lab_ns lb)" nft -a list table netdev lvsd | md5sum)
out=$(apply four.conf)
check "undrained: re-applying is no op and leaves the table as it was" bash -c \
    "echo '$out' | grep -qx 'ops: 0' && [ \"\$(ip netns exec $(lab_ns lb) nft -a list table netdev lvsd | md5sum)\" = '$before' ]"

# --- NAT, weights 3:1, next to the DR service --------------------------------------------
conf both.conf 1 1 1 1 -- 3 1
out=$(apply both.conf); rc=$?
echo "$out" | tail -1
check "DR + NAT config applies (rc $rc)" [ $rc = 0 ]
check "NAT service in table ip lvsd" bash -c \
    "ip netns exec $(lab_ns lb) nft list tables | grep -qx 'table ip lvsd'"
bodies=""
for n in $(seq 1 40); do bodies+="$(lab_exec nclient curl -s --max-time 2 http://$NVIP/) "; done
check "curl through the NAT VIP reaches rs1" bash -c "[[ '$bodies' == *rs1* ]]"
check "curl through the NAT VIP reaches rs2" bash -c "[[ '$bodies' == *rs2* ]]"
start=$SECONDS
sweep nclient 10.78.0.10 $NVIP 26000 1000 >"$LAB_DIR/nat.txt"
n1=$(count "$LAB_DIR/nat.txt" rs1); n2=$(count "$LAB_DIR/nat.txt" rs2)
echo "1000 NAT connections in $((SECONDS - start)) s: rs1 $n1, rs2 $n2"
check "all 1000 NAT connections answered" [ $((n1 + n2)) = 1000 ]
check "NAT weights 3:1 give 3:1 within 10 % (rs1 $n1 of 1000)" \
    bash -c "[ $n1 -ge 675 ] && [ $n1 -le 825 ]"
out=$(apply both.conf)
check "applying DR + NAT again issues no op" bash -c "echo '$out' | grep -qx 'ops: 0'"
out=$(lab_exec lb "$NFT_APPLY" --dump)
check "the dump reads back both services" bash -c \
    "echo '$out' | grep -q '10.77.0.100' && echo '$out' | grep -q '10.77.0.200'"

# --- fwmark (NAT): marked in the director's prerouting (mangle), dispatched by meta mark ------
FVIP=10.77.0.201
ip netns exec "$(lab_ns lb)" nft -f - <<N
table ip lvsdtest_mark {
    chain pre {
        type filter hook prerouting priority mangle; policy accept;
        ip daddr $FVIP tcp dport 80 meta mark set 7
    }
}
N
{
    cat "$LAB_DIR/both.conf"
    printf 'virtual_server fwmark 7 {\n    lvs_sched mh\n    lvs_method NAT\n'
    printf '    real_server 10.77.0.1%s 80\n' 1 2
    printf '}\n'
} >"$LAB_DIR/fwm.conf"
out=$(apply fwm.conf); rc=$?
echo "$out" | tail -1
check "fwmark NAT service applies next to DR and NAT (rc $rc)" \
    bash -c "[ $rc = 0 ] && echo '$out' | grep -q 'refused: 0'"
sweep nclient 10.78.0.10 $FVIP 28000 200 >"$LAB_DIR/fwm.txt"
n1=$(count "$LAB_DIR/fwm.txt" rs1); n2=$(count "$LAB_DIR/fwm.txt" rs2)
echo "200 connections to the marked $FVIP:80: rs1 $n1, rs2 $n2"
check "every marked connection is answered by rs1 or rs2 ($((n1 + n2)) of 200)" [ $((n1 + n2)) = 200 ]
check "both real servers of the fwmark service take flows" bash -c "[ $n1 -ge 50 ] && [ $n2 -ge 50 ]"
out=$(apply fwm.conf)
check "applying the fwmark config again issues no op" bash -c "echo '$out' | grep -qx 'ops: 0'"
ip netns exec "$(lab_ns lb)" nft delete table ip lvsdtest_mark
out=$(apply both.conf)
check "removing the fwmark service is one op" bash -c "echo '$out' | grep -qx 'ops: 1'"

# --- failover: a second director with the same config picks the same servers ---------------
# The VIP moves to lb2 and back; the client's neighbour entry is switched the way a gratuitous
# ARP from the new master would switch it. Four keep-alive connections keep their servers.
out=$(lab_exec lb2 "$NFT_APPLY" --interface eth0 --config "$LAB_DIR/four.conf")
check "lb2 takes the same DR config (4 servers)" bash -c "echo '$out' | grep -q 'refused: 0'"
holds=()
for c in 1 2 3 4; do
    mkdir -p "$LAB_DIR/fo$c"
    holds+=("$(lab_spawn client fo$c python3 -u "$LAB_DIR/probe.py" hold $VIP "$LAB_DIR/fo$c" 3)")
done
for c in 1 2 3 4; do lab_wait 10 grep -q '^0 ' "$LAB_DIR/fo$c.log"; done
to() { # to NODE: the VIP and the client's neighbour entry move to NODE
    local from=lb; [ "$1" = lb ] && from=lb2
    lab_exec $from ip addr del $VIP/32 dev eth0
    lab_exec "$1" ip addr add $VIP/32 dev eth0
    lab_exec client ip neigh replace $VIP lladdr "$(lab_mac "$1")" dev eth0
}
to lb2
for c in 1 2 3 4; do touch "$LAB_DIR/fo$c/1"; done
for c in 1 2 3 4; do lab_wait 10 grep -q '^1 ' "$LAB_DIR/fo$c.log"; done
to lb
for c in 1 2 3 4; do touch "$LAB_DIR/fo$c/2"; done
for c in 1 2 3 4; do lab_wait 10 grep -q '^2 ' "$LAB_DIR/fo$c.log"; done
survived=0
for c in 1 2 3 4; do
    echo "connection $c: $(awk '{ printf "%s ", $2 }' "$LAB_DIR/fo$c.log")"
    [ "$(awk '{ print $2 }' "$LAB_DIR/fo$c.log" | sort -u | grep -c '^rs')" = 1 ] &&
        [ "$(wc -l <"$LAB_DIR/fo$c.log")" = 3 ] && survived=$((survived + 1))
done
check "4 keep-alive connections keep their server across lb → lb2 → lb ($survived/4)" [ $survived = 4 ]
lb2_hits=$(lab_exec lb2 nft list chain netdev lvsd ingress >/dev/null 2>&1 && echo yes)
check "lb2 holds the dataplane too" [ "$lb2_hits" = yes ]
for h in "${holds[@]}"; do lab_stop "$h"; done

# --- IPv6 DR -------------------------------------------------------------------------------
VIP6=fd00:77::100
lab_exec client ip -6 addr add fd00:77::10/64 dev eth0 nodad
lab_exec lb ip -6 addr add fd00:77::2/64 dev eth0 nodad
lab_exec lb ip -6 addr add $VIP6/128 dev eth0 nodad
for i in 1 2; do
    lab_exec rs$i ip -6 addr add fd00:77::1$i/64 dev eth0 nodad
    lab_exec rs$i ip -6 addr add $VIP6/128 dev lo nodad
done
cat >"$LAB_DIR/v6.conf" <<CONF
virtual_server $VIP6 80 {
    lvs_sched mh
    lvs_method DR
    real_server fd00:77::11 80
    real_server fd00:77::12 80
}
CONF
out=$(apply v6.conf); rc=$?
echo "$out" | tail -1
check "IPv6 DR config applies (rc $rc)" [ $rc = 0 ]
bodies=""
for n in $(seq 1 30); do bodies+="$(lab_exec client curl -s -6 --max-time 2 "http://[$VIP6]/") "; done
check "curl through the IPv6 VIP reaches rs1 and rs2 ($(echo $bodies | tr ' ' '\n' | sort | uniq -c | tr '\n' ' '))" \
    bash -c "[[ '$bodies' == *rs1* ]] && [[ '$bodies' == *rs2* ]]"

# --- an empty config removes everything of ours -------------------------------------------
echo "" >"$LAB_DIR/empty.conf"
apply empty.conf >/dev/null
check "an empty config leaves no table of ours" bash -c \
    "[ -z \"\$(ip netns exec $(lab_ns lb) nft list tables)\" ]"

lab_finish
