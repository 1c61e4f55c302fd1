#!/bin/bash
# lvs-director on its own: an IPv6 VRRPv3 pair (link-local source, global VIP, unsolicited NA),
# gratuitous ARP moving a client's ARP entry, vrrp_script weights and FAULT, track_interface,
# notify scripts, SIGHUP reload (unchanged instance keeps its state; a bad file keeps the old
# config), and malformed adverts dropped and counted.
set -u
source "$LVSD_SOURCE_DIR/tests/lab/lab.sh"
source "$LVSD_SOURCE_DIR/tests/lab/vrrp.sh"
: "${LVS_DIRECTOR:?}"

lab_init
lab_node d1 10.77.0.1/24
lab_node d2 10.77.0.2/24
lab_node c 10.77.0.50/24
for n in d1 d2 c; do
    lab_exec $n sysctl -qw net.ipv6.conf.eth0.accept_dad=0 net.ipv6.conf.all.disable_ipv6=0
    lab_exec $n ip addr add 2001:db8:77::$([ $n = c ] && echo 50 || echo ${n#d})/64 dev eth0 nodad
done
mac_d1=$(lab_mac d1) mac_d2=$(lab_mac d2)
lladdr() { lab_exec c ip $1 neigh show "$2" | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}'; }
lladdr_is() { [ "$(lladdr "$1" "$2")" = "$3" ]; } # lladdr_is -4|-6 ADDR MAC: re-read on each try
# The link-locals came up before accept_dad=0: wait out their DAD, or the first adverts fail
# (a tentative source cannot send).
for n in d1 d2 c; do
    lab_wait 5 eval "[ -z \"\$(lab_exec $n ip -6 addr show dev eth0 tentative)\" ]" ||
        lab_log "$n: link-local still tentative"
done

# --- IPv6 VRRPv3 pair of ours -------------------------------------------------------------
VIP6=2001:db8:77::100/64
vrrp_conf "$LAB_DIR/d1v6.conf" 3 0.1 100 $VIP6 vrid=61
vrrp_conf "$LAB_DIR/d2v6.conf" 3 0.1 50 $VIP6 vrid=61
p1=$(vrrp_start_ours d1 "$LAB_DIR/d1v6.conf")
p2=$(vrrp_start_ours d2 "$LAB_DIR/d2v6.conf")
check "v6: converges with the VIP on d1 only" vrrp_wait_holder 5 $VIP6 d1 d1 d2
stats=$(vrrp_stats d1 $p1)
check "v6: adverts leave from the link-local address" \
    grep -q '"source": "fe80::' <<<"$stats"
check "v6: client reaches the VIP" lab_wait 5 lab_exec c ping -q -6 -c1 -W1 2001:db8:77::100
check "v6: client's neighbour entry is d1's MAC" test "$(lladdr -6 2001:db8:77::100)" = "$mac_d1"
vrrp_kill_node d1 $p1
check "v6: d1 dies, d2 takes the VIP" vrrp_wait_holder 3 $VIP6 d2 d2
# No new neighbour solicitation needed: d2's unsolicited NA (override) moved the entry.
check "v6: unsolicited NA moved the client's entry to d2" \
    lab_wait 3 lladdr_is -6 2001:db8:77::100 "$mac_d2"
check "v6: client reaches the VIP on d2" lab_exec c ping -q -6 -c1 -W1 2001:db8:77::100
lab_stop $p2
vrrp_revive_node d1 $VIP6
check "v6: d2 removed the VIP at stop" test -z "$(vrrp_holders $VIP6 d1 d2)"

# --- IPv4: GARP, tracking, notify, reload --------------------------------------------------
VIP=10.77.0.100/24
flag=$LAB_DIR/healthy
touch "$flag"
notes=$LAB_DIR/notify.log
cat >"$LAB_DIR/notify.sh" <<SH
#!/bin/sh
echo "\$*" >>$notes
SH
chmod 755 "$LAB_DIR/notify.sh"
cat >"$LAB_DIR/track.sh" <<SH
#!/bin/sh
test -f $flag
SH
chmod 755 "$LAB_DIR/track.sh"
# A tracked interface of d1's own (a veth pair: this kernel may lack the dummy driver).
lab_exec d1 ip link add trk0 type veth peer name trk1
lab_exec d1 ip link set trk1 up
lab_exec d1 ip link set trk0 up
d1conf() { # d1conf WEIGHT [extra instance lines]
    cat <<C
global_defs {
    vrrp_version 3
}
vrrp_script chk {
    script "$LAB_DIR/track.sh"
    interval 0.2
    fall 3
    rise 1
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 62
    priority 100
    advert_int 0.1
    track_script {
        chk weight $1
    }
    track_interface {
        trk0
    }
    notify $LAB_DIR/notify.sh
    virtual_ipaddress {
        $VIP
    }
${2:-}
}
C
}
d1conf -60 >"$LAB_DIR/d1.conf"
vrrp_conf "$LAB_DIR/d2.conf" 3 0.1 50 $VIP vrid=62
p1=$(vrrp_start_ours d1 "$LAB_DIR/d1.conf")
p2=$(vrrp_start_ours d2 "$LAB_DIR/d2.conf")
check "v4: converges with the VIP on d1 only" vrrp_wait_holder 5 $VIP d1 d1 d2
check "notify: called with INSTANCE VI_1 MASTER 100" \
    lab_wait 3 grep -qx "INSTANCE VI_1 MASTER 100" "$notes"
check "v4: client reaches the VIP" lab_exec c ping -q -c1 -W1 10.77.0.100
check "v4: client's ARP entry is d1's MAC" test "$(lladdr -4 10.77.0.100)" = "$mac_d1"

rm -f "$flag" # the tracked script fails: 100 - 60 = 40 < 50
check "track_script: failing script (weight -60) hands the VIP to d2" \
    vrrp_wait_holder 3 $VIP d2 d1 d2
check "garp: client's ARP entry moved to d2 without asking" \
    lab_wait 3 lladdr_is -4 10.77.0.100 "$mac_d2"
check "notify: d1 reports BACKUP with priority 40" \
    lab_wait 3 grep -qx "INSTANCE VI_1 BACKUP 40" "$notes"
# A reload keeps the failing script's verdict: d1 must not come back at 100 and preempt until
# the script's next run says otherwise.
masters=$(grep -c "Entering MASTER" "$LAB_DIR"/director-d1.*.log)
kill -HUP $p1
sleep 1
check "reload with the script failing: d1 does not preempt" \
    test "$(grep -c "Entering MASTER" "$LAB_DIR"/director-d1.*.log)" = "$masters"
touch "$flag"
check "track_script: script succeeds again, d1 preempts" vrrp_wait_holder 3 $VIP d1 d1 d2

lab_exec d1 ip link set trk0 down
check "track_interface: trk0 down puts d1 in FAULT, d2 takes over" \
    vrrp_wait_holder 3 $VIP d2 d1 d2
check "notify: FAULT reported" lab_wait 3 grep -q "INSTANCE VI_1 FAULT" "$notes"
lab_exec d1 ip link set trk0 up
check "track_interface: trk0 up, d1 back" vrrp_wait_holder 3 $VIP d1 d1 d2

# Reload with an unchanged instance: no state change. A comment changes nothing.
echo "# touched" >>"$LAB_DIR/d1.conf"
before=$(grep -c "Entering" "$LAB_DIR"/director-d1.*.log)
kill -HUP $p1
sleep 1
check "reload (unchanged): d1 keeps the VIP" test "$(vrrp_holders $VIP d1 d2)" = d1
check "reload (unchanged): no state change" \
    test "$(grep -c "Entering" "$LAB_DIR"/director-d1.*.log)" = "$before"
# A broken file: logged with its place, the running config stays.
echo "vrrp_instance VI_bad { virtual_router_id 999 }" >>"$LAB_DIR/d1.conf"
kill -HUP $p1
check "reload (bad file): error names file:line:col" \
    lab_wait 3 grep -q "d1.conf:[0-9]*:[0-9]*: error" "$LAB_DIR"/director-d1.*.log
check "reload (bad file): keeping the running one" \
    grep -q "keeping the running one" "$LAB_DIR"/director-d1.*.log
check "reload (bad file): d1 still holds the VIP" test "$(vrrp_holders $VIP d1 d2)" = d1
# A changed VIP: taken in place, as keepalived does (it used to restart the instance, and the
# master stepped down for it).
d1conf -60 >"$LAB_DIR/d1.conf"
sed -i "s|$VIP|10.77.0.101/24|" "$LAB_DIR/d1.conf"
before=$(grep -c "Entering" "$LAB_DIR"/director-d1.*.log)
kill -HUP $p1
check "reload (new VIP): d1 holds 10.77.0.101" vrrp_wait_holder 3 10.77.0.101/24 d1 d1
check "reload (new VIP): in place" lab_wait 3 grep -q "addresses updated in place" \
    "$LAB_DIR"/director-d1.*.log
check "reload (new VIP): no state change" \
    test "$(grep -c "Entering" "$LAB_DIR"/director-d1.*.log)" = "$before"
d1_has() { [ -n "$(lab_exec d1 ip -o addr show to "$1")" ]; }
check "reload (new VIP): the old VIP is gone from d1" lab_wait 3 eval '! d1_has 10.77.0.100'

# A reload that removes an instance runs that instance's own notify_stop, to its end.
cat >"$LAB_DIR/slowstop.sh" <<SH
#!/bin/sh
sleep 1
echo "VI_9 stop done" >>$notes
SH
chmod 755 "$LAB_DIR/slowstop.sh"
cp "$LAB_DIR/d1.conf" "$LAB_DIR/d1-without9.conf"
cat >>"$LAB_DIR/d1.conf" <<C
vrrp_instance VI_9 {
    state MASTER
    interface eth0
    virtual_router_id 69
    priority 100
    advert_int 0.1
    notify_stop $LAB_DIR/slowstop.sh
    virtual_ipaddress {
        10.77.0.109/24
    }
}
C
cp "$LAB_DIR/d1.conf" "$LAB_DIR/d1-without9.conf.with9"
kill -HUP $p1
check "reload (added instance): VI_9 puts 10.77.0.109 on d1" lab_wait 3 d1_has 10.77.0.109
cp "$LAB_DIR/d1-without9.conf" "$LAB_DIR/d1.conf"
kill -HUP $p1
check "reload (removed instance): its own notify_stop ran to its end" \
    lab_wait 4 grep -qx "VI_9 stop done" "$notes"
check "reload (removed instance): its VIP is gone" lab_wait 3 eval '! d1_has 10.77.0.109'

# An added instance starts with what its tracking says: an address owner (priority 255) whose
# tracked interface is down goes to FAULT without being MASTER first (VIP added, notified).
lab_exec d1 ip link add trk2 type veth peer name trk3
cat >>"$LAB_DIR/d1.conf" <<C
vrrp_instance VI_8 {
    interface eth0
    virtual_router_id 68
    priority 255
    advert_int 0.1
    track_interface {
        trk2
    }
    notify $LAB_DIR/notify.sh
    virtual_ipaddress {
        10.77.0.108/24
    }
}
C
kill -HUP $p1
check "reload (added instance, tracked link down): VI_8 in FAULT" \
    lab_wait 3 grep -q "INSTANCE VI_8 FAULT" "$notes"
check "  ...and never MASTER or BACKUP before it" bash -c "! grep -Eq 'INSTANCE VI_8 (MASTER|BACKUP)' $notes"
check "  ...its VIP never added" bash -c "! grep -q 'VI_8.*Entering MASTER' $LAB_DIR/director-d1.*.log"
cp "$LAB_DIR/d1-without9.conf" "$LAB_DIR/d1.conf"
kill -HUP $p1

# Malformed adverts from the client: TTL 64 (routed?), too short, wrong auth, wrong VRID.
lab_exec c python3 - <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"eth0")
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 64)
s.sendto(bytes([0x31, 62, 200, 1, 0, 10, 0, 0, 10, 77, 0, 100]), ("224.0.0.18", 0))
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
s.sendto(bytes([0x31, 62]), ("224.0.0.18", 0))
s.sendto(bytes([0x31, 62, 200, 1, 0, 10, 0, 0, 10, 77, 0, 100]), ("224.0.0.18", 0))  # bad checksum
s.sendto(bytes([0x31, 99, 200, 1, 0, 10, 0, 0, 10, 77, 0, 100]), ("224.0.0.18", 0))  # another VRID
PY
sleep 0.5
stats=$(vrrp_stats d1 $p1)
check "malformed adverts: dropped and counted, d1 still master" python3 -c '
import json, sys
s = json.loads(sys.argv[1])["vrrp_instances"][0]
d = s["dropped"]
sys.exit(not (d["bad_ttl"] >= 1 and d["too_short"] >= 1 and d["bad_checksum"] >= 1
              and d["wrong_vrid"] == 0 and s["other_vrid_received"] >= 1
              and s["state"].lower() == "master"))' "$stats"
check "malformed adverts: VIP stays on d1" test "$(vrrp_holders 10.77.0.101/24 d1 d2)" = d1

# A stop right after a reload that removed an instance still lets that instance's notify_stop
# finish (it ran on the retired runner, which the exit used to kill).
cp "$LAB_DIR/d1.conf" "$LAB_DIR/d1-without7.conf"
sed "s/VI_9/VI_7/; s/virtual_router_id 69/virtual_router_id 67/; s/10.77.0.109/10.77.0.107/" \
    <(sed -n '/^vrrp_instance VI_9/,/^}/p' "$LAB_DIR/d1-without9.conf.with9") >>"$LAB_DIR/d1.conf"
sed -i "s|slowstop.sh|slowstop7.sh|" "$LAB_DIR/d1.conf"
sed "s/VI_9/VI_7/" "$LAB_DIR/slowstop.sh" >"$LAB_DIR/slowstop7.sh"
chmod 755 "$LAB_DIR/slowstop7.sh"
kill -HUP $p1
check "reload (added VI_7)" lab_wait 3 d1_has 10.77.0.107
cp "$LAB_DIR/d1-without7.conf" "$LAB_DIR/d1.conf"
kill -HUP $p1
sleep 0.3
lab_stop $p1
check "stop right after a reload: the removed instance's notify_stop ran to its end" \
    grep -qx "VI_7 stop done" "$notes"
check "clean stop: notify STOP" lab_wait 3 grep -q "INSTANCE VI_1 STOP" "$notes"

# A stop waits (up to 10 s) for notify_stop; a second SIGTERM exits at once.
lab_stop $p2
printf '#!/bin/sh\nsleep 8\n' >"$LAB_DIR/slow.sh"
chmod 755 "$LAB_DIR/slow.sh"
vrrp_conf "$LAB_DIR/d2slow.conf" 3 0.1 50 $VIP vrid=62
sed -i "s|^vrrp_instance \(.*\) {|vrrp_instance \1 {\n    notify_stop $LAB_DIR/slow.sh|" "$LAB_DIR/d2slow.conf"
p2=$(vrrp_start_ours d2 "$LAB_DIR/d2slow.conf")
check "d2 alone takes the VIP" vrrp_wait_holder 5 $VIP d2 d2
kill -TERM $p2
sleep 0.5
check "a stop waits for notify_stop" kill -0 $p2
t0=$(date +%s%N)
kill -TERM $p2
lab_wait 3 bash -c "! kill -0 $p2"
t1=$(date +%s%N)
# (About 1 s here, against the 8 s the script would hold a stop that waited for it.)
check "a second SIGTERM exits without waiting ($(((t1 - t0) / 1000000)) ms)" \
    test $(((t1 - t0) / 1000000)) -lt 3000
lab_stop $p2
lab_finish
