#!/usr/bin/env bash
# Bad input and faults: a malformed config changes nothing (exit 2, file:line:col), no
# CAP_NET_ADMIN is one clear sentence (exit 4), a start that fails halfway is rolled back.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lab/lab.sh"
RS=${LVS_REALSERVER:?path to lvs-realserver}

lab_init
lab_node rs1 10.77.0.11/24
snapshot() {
    { ip -n "$(lab_ns rs1)" addr show dev lo
      lab_exec rs1 sysctl net.ipv4.conf.lo.arp_ignore net.ipv4.conf.lo.arp_announce \
          net.ipv4.conf.all.arp_ignore net.ipv4.conf.all.arp_announce; } 2>&1
}
before=$(snapshot)

cat >"$LAB_DIR/bad.conf" <<'CONF'
virtual_ipaddress {
    10.77.0.100
    10.77.0.300   # a typo
}
CONF
out=$(lab_exec rs1 "$RS" start --config "$LAB_DIR/bad.conf" 2>&1); rc=$?
echo "$out"
check "malformed VIP in a config exits 2" [ $rc = 2 ]
check "the error names file:line:col" [ "$out" = "$LAB_DIR/bad.conf:3:5: error: '10.77.0.300' is not an IPv4 or IPv6 address" ]
check "nothing changed on the host" [ "$(snapshot)" = "$before" ]

out=$(lab_exec rs1 "$RS" start --vip 10.77.0.1000 2>&1); rc=$?
check "malformed --vip exits 2 ($out)" [ $rc = 2 ]
printf 'virtual_ipaddress {\n 10.77.0.100\n' >"$LAB_DIR/open.conf"
out=$(lab_exec rs1 "$RS" start --config "$LAB_DIR/open.conf" 2>&1); rc=$?
check "unclosed block exits 2 ($out)" bash -c "[ $rc = 2 ] && [[ '$out' == *'open.conf:1:19: error: block of'* ]]"
out=$(lab_exec rs1 "$RS" start --config "$LAB_DIR/missing.conf" 2>&1); rc=$?
check "missing config exits 2 ($out)" bash -c "[ $rc = 2 ] && [[ '$out' == *'missing.conf: error: cannot read'* ]]"
# -t: the same messages and codes, for scripts and Ansible before they install a file.
out=$(lab_exec rs1 "$RS" -t -f "$LAB_DIR/bad.conf" 2>&1); rc=$?
check "-t on the malformed file exits 2 with file:line:col" \
    bash -c "[ $rc = 2 ] && [[ '$out' == *'bad.conf:3:5: error:'* ]]"
printf 'virtual_ipaddress {\n 10.77.0.100\n}\nreport_to 10.77.0.1\nreport_key_file %s\n' \
    "$LAB_DIR/no.key" >"$LAB_DIR/key.conf"
out=$(lab_exec rs1 "$RS" -t -f "$LAB_DIR/key.conf" 2>&1); rc=$?
check "-t with a missing report key exits 1 naming it ($out)" \
    bash -c "[ $rc = 1 ] && [[ '$out' == *'no.key: cannot read'* ]]"
head -c 32 /dev/urandom | base64 >"$LAB_DIR/no.key"
check "-t on a good file exits 0" lab_exec rs1 "$RS" -t -f "$LAB_DIR/key.conf"
check "still nothing changed" [ "$(snapshot)" = "$before" ]

out=$(lab_exec rs1 setpriv --reuid=65534 --regid=65534 --clear-groups "$RS" start --vip 10.77.0.100 2>&1); rc=$?
echo "$out"
check "without CAP_NET_ADMIN start exits 4" [ $rc = 4 ]
check "with one clear sentence" bash -c "[ \$(echo '$out' | wc -l) = 1 ] && [[ '$out' == *CAP_NET_ADMIN* ]]"
out=$(lab_exec rs1 setpriv --reuid=65534 --regid=65534 --clear-groups "$RS" stop 2>&1); rc=$?
check "without CAP_NET_ADMIN stop exits 4" [ $rc = 4 ]

# The third of three VIPs fails (IPv6 is disabled on lo): the first two and the sysctls go back.
lab_exec rs1 sysctl -qw net.ipv6.conf.lo.disable_ipv6=1
no_v6=$(snapshot) # disabling IPv6 takes ::1 off lo
out=$(lab_exec rs1 "$RS" start --vip 10.77.0.100 --vip 10.77.0.101 --vip fd00:77::1 2>&1); rc=$?
echo "$out"
check "a start that fails on the third VIP exits 1" [ $rc = 1 ]
check "it names what failed" bash -c "[[ '$out' == *'cannot add fd00:77::1/128'* ]]"
check "the first two VIPs and the sysctls were rolled back" [ "$(snapshot)" = "$no_v6" ]
check "no state file remains, status says stopped" bash -c "ip netns exec $(lab_ns rs1) $RS status >/dev/null; [ \$? = 3 ]"
lab_exec rs1 sysctl -qw net.ipv6.conf.lo.disable_ipv6=0

# A failure on a second start rolls back only that start.
lab_exec rs1 sysctl -qw net.ipv6.conf.lo.disable_ipv6=1
lab_exec rs1 "$RS" start --vip 10.77.0.100 >/dev/null 2>&1
running=$(snapshot)
lab_exec rs1 "$RS" start --vip 10.77.0.100 --vip 10.77.0.102 --vip fd00:77::1 >/dev/null 2>&1
check "a failed second start keeps the first start's state" [ "$(snapshot)" = "$running" ]
lab_exec rs1 sysctl -qw net.ipv6.conf.lo.disable_ipv6=0
lab_exec rs1 "$RS" stop >/dev/null 2>&1
check "stop then restores the original host" [ "$(snapshot)" = "$before" ]

# An interface the VIP needs and that was down (lo here) is brought up, recorded, and brought
# down again at stop: the host as it was.
lab_exec rs1 ip link set lo down
down_lo=$(snapshot)
out=$(lab_exec rs1 "$RS" start --vip 10.77.0.100 2>&1)
check "start brings a down lo up, and says so" bash -c "[[ '$out' == *'brought lo up'* ]]"
check "  ...lo is up" bash -c "ip -n $(lab_ns rs1) link show dev lo | grep -q '[<,]UP[,>]'"
out=$(lab_exec rs1 "$RS" stop 2>&1)
check "stop brings it down again ($out)" [ "$(snapshot)" = "$down_lo" ]
lab_exec rs1 ip link set lo up

# TUN mode needs tunl0 (the ipip module). Where the kernel lacks it, the error says so.
if lab_exec rs1 ip link show tunl0 >/dev/null 2>&1; then
    # Started as DR (on lo), then as TUN: the VIP moves, and stop finds it where it went.
    lab_exec rs1 "$RS" start --vip 10.77.0.150 >/dev/null 2>&1
    lab_exec rs1 "$RS" start --vip 10.77.0.150,tun >/dev/null 2>&1
    check "TUN VIP on tunl0" bash -c "ip -n $(lab_ns rs1) addr show dev tunl0 | grep -q 10.77.0.150/32"
    check "  ...and no longer on lo" bash -c "! ip -n $(lab_ns rs1) addr show dev lo | grep -q 10.77.0.150/32"
    check "rp_filter 0 on tunl0" [ "$(lab_exec rs1 sysctl -n net.ipv4.conf.tunl0.rp_filter)" = 0 ]
    lab_exec rs1 "$RS" stop >/dev/null 2>&1
    check "stop removes the VIP moved to tunl0" bash -c "! ip -n $(lab_ns rs1) addr | grep -q 10.77.0.150/"
else
    out=$(lab_exec rs1 "$RS" start --vip 10.77.0.150,tun 2>&1); rc=$?
    check "TUN without ipip: exit 1 naming the module ($out)" bash -c "[ $rc = 1 ] && [[ '$out' == *'modprobe ipip'* ]]"
    check "TUN without ipip: nothing changed" [ "$(snapshot)" = "$before" ]
fi

lab_finish
