# NAT and DR traffic through namespaces inside the guest; sourced by ipvs_test.sh (its check/same
# helpers, $APPLY, $DATA, $S). The director is the guest's own namespace.
#   NAT: client tc (10.10.0.2) -- director (10.10.0.1, VIP 10.10.0.100) -- tn1 10.20.1.2, tn2 10.20.2.2
#   DR:  client td (10.30.0.2), director (10.30.0.1, VIP 10.30.0.100), td1 .11, td2 .12 on bridge
#        tbr0; the real servers hold the VIP on lo and neither answer nor announce ARP for it.

netns_host() { # NS ADDR/LEN GW-or-empty: a namespace with eth0 (peer: v-NS in the guest)
    ip netns add "$1"
    ip link add "v-$1" type veth peer name eth0 netns "$1"
    ip -n "$1" link set lo up
    ip -n "$1" addr add "$2" dev eth0
    ip -n "$1" link set eth0 up
    [ -z "$3" ] || ip -n "$1" route add default via "$3"
    ip link set "v-$1" up
}
web() { # NS TEXT: busybox httpd serving TEXT on port 80
    mkdir -p "$S/www-$1"
    echo "$2" >"$S/www-$1/index.html"
    ip netns exec "$1" busybox httpd -p 80 -h "$S/www-$1"
}
fetch() { # CLIENT-NS URL COUNT: one response body per line
    k=0
    while [ $k -lt "$3" ]; do
        ip netns exec "$1" curl -s --max-time 5 "$2" || echo "curl failed"
        k=$((k + 1))
    done
}

sysctl -qw net.ipv4.ip_forward=1
netns_host tc 10.10.0.2/24 10.10.0.1
ip addr add 10.10.0.1/24 dev v-tc
for i in 1 2; do
    netns_host tn$i 10.20.$i.2/24 10.20.$i.1
    ip addr add 10.20.$i.1/24 dev v-tn$i
    web tn$i nat-$i
done
ip addr add 10.10.0.100/32 dev lo

ip link add tbr0 type bridge
ip link set tbr0 up
ip addr add 10.30.0.1/24 dev tbr0
ip addr add 10.30.0.100/32 dev tbr0
for ns in td td1 td2; do # (not $n: ipvs_test.sh counts its checks in it)
    case $ns in td) a=10.30.0.2 ;; td1) a=10.30.0.11 ;; td2) a=10.30.0.12 ;; esac
    netns_host $ns $a/24 ""
    ip link set v-$ns master tbr0
done
for i in 1 2; do
    ip -n td$i addr add 10.30.0.100/32 dev lo
    ip netns exec td$i sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
        net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2
    web td$i dr-$i
done

run --config "$DATA/traffic.conf"
check "traffic.conf applies" [ "$rc" = 0 ]

fetch tc http://10.10.0.100/ 4 | sort >"$S/nat.got"
printf 'nat-1\nnat-1\nnat-2\nnat-2\n' >"$S/nat.want"
same "NAT: 4 requests through the VIP, 2 to each real server (rr)" "$S/nat.want" "$S/nat.got"

fetch td http://10.30.0.100/ 4 | sort >"$S/dr.got"
printf 'dr-1\ndr-1\ndr-2\ndr-2\n' >"$S/dr.want"
same "DR: 4 requests through the VIP, 2 to each real server (rr)" "$S/dr.want" "$S/dr.got"

# the counters reach netlink through the 2 s estimator
sleep 2.5
# "stats: KEY [-> DEST] conns C inpkts P ..." → "KEY [-> DEST] conns C (P > 0) (inbytes > 0)"
"$APPLY" --stats | awk '{
    for (i = 2; $i != "conns"; i++) key = (i == 2 ? "" : key " ") $i
    for (j = i; j < NF; j += 2) v[$j] = $(j + 1)
    print key, "conns", v["conns"], (v["inpkts"] > 0), (v["inbytes"] > 0) }' >"$S/stats.got"
cat >"$S/stats.want" <<'TXT'
TCP 10.10.0.100:80 conns 4 1 1
TCP 10.10.0.100:80 -> 10.20.1.2:80 conns 2 1 1
TCP 10.10.0.100:80 -> 10.20.2.2:80 conns 2 1 1
TCP 10.30.0.100:80 conns 4 1 1
TCP 10.30.0.100:80 -> 10.30.0.11:80 conns 2 1 1
TCP 10.30.0.100:80 -> 10.30.0.12:80 conns 2 1 1
TXT
same "counters read back (connections, packets, bytes)" "$S/stats.want" "$S/stats.got"

# a drained real server (weight 0) gets no new connections
run --config "$DATA/traffic.conf" --weight 0:1=0
check "drain is one edit" [ "$(ops_count)" = 1 ]
fetch tc http://10.10.0.100/ 3 | sort -u >"$S/drain.got"
echo nat-1 >"$S/drain.want"
same "NAT: the drained real server gets no new connection" "$S/drain.want" "$S/drain.got"
