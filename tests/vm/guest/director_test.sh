#!/bin/sh
# lvs-director's own use of IPVS, in the guest (run by tests/vm/ipvs-vm.sh): the daemon applies
# the virtual servers of its config, a restart with the same config changes nothing (no flush,
# counters and connections live on), SIGHUP applies a changed config by its difference, and a
# broken file on reload leaves the table alone. Expected listings are those of ipvs_test.sh.
#   director_test.sh LVS_DIRECTOR DATA_DIR
set -u
D=$1
DATA=$2
S=$(mktemp -d)
n=0
failed=0
check() {
    d=$1
    shift
    n=$((n + 1))
    if "$@"; then echo "ok $n - $d"; else failed=$((failed + 1)); echo "not ok $n - $d"; fi
}
listing() { ipvsadm -Ln | tail -n +2; }
# wait_for SECS CMD...: bounded retry every 0.2 s
wait_for() {
    t=$(($1 * 5))
    shift
    while [ $t -gt 0 ]; do
        "$@" && return 0
        sleep 0.2
        t=$((t - 1))
    done
    return 1
}
same_as() { listing >"$S/now" && diff -u "$1" "$S/now" >"$S/diff"; }
show_diff() { sed 's/^/#   /' "$S/diff"; }
start() { "$D" -n -l -p "$S/pid" -f "$S/conf" >>"$S/log" 2>&1 & pid=$!; }
stop() {
    kill -TERM "$pid"
    t=50
    while kill -0 "$pid" 2>/dev/null && [ $t -gt 0 ]; do sleep 0.1; t=$((t - 1)); done
    wait "$pid" 2>/dev/null
}

ipvsadm -C
cp "$DATA/a.conf" "$S/conf"
start
check "the daemon applies a.conf" wait_for 20 same_as "$DATA/a.list" || show_diff
check "... and logs what it did" grep -q "virtual servers: .* changes applied" "$S/log"
stop
check "a stop leaves the table in place" same_as "$DATA/a.list" || show_diff
: >"$S/log"
start
sleep 3
check "a restart with the same config changes nothing" same_as "$DATA/a.list" || show_diff
check "... and applies no op" sh -c "! grep -q 'changes applied' $S/log"
cp "$DATA/b.conf" "$S/conf"
kill -HUP "$pid"
check "SIGHUP applies b.conf" wait_for 20 same_as "$DATA/b.list" || show_diff
printf 'virtual_server 10.9.9.9 80 {\n    real_server 10.0.1.1 80\n}\n' >>"$S/conf"
printf 'vrrp_instance X {\n    virtual_router_id 300\n}\n' >>"$S/conf"
kill -HUP "$pid"
check "a broken file on reload is reported" wait_for 10 grep -q "keeping the running one" "$S/log"
check "... and the table stays as it was" same_as "$DATA/b.list" || show_diff
stop

# A readiness report from the real server's address sets its weight: drain → 0, up → back.
ipvsadm -C
head -c 32 /dev/urandom >"$S/key"
cat >"$S/conf" <<C
global_defs {
    agent_report_port 7707
    agent_key_file $S/key
}
virtual_server 10.0.0.100 80 {
    lvs_sched rr
    lvs_method DR
    real_server 127.0.0.1 80 {
        weight 5
    }
}
C
start
weight_is() { ipvsadm -Ln | grep -q "127.0.0.1:80 *Route *$1 "; }
check "agent: configured weight 5" wait_for 20 weight_is 5
report() { # report SEQ STATE: a genuine report from 127.0.0.1
    python3 - "$S/key" "$1" "$2" <<'PY'
import hashlib, hmac, json, socket, sys, time
key = open(sys.argv[1], "rb").read().rstrip(b"\r\n")  # as lvs-director reads it
p = json.dumps({"v": 2, "host": "rs1", "seq": int(sys.argv[2]),
                "time_ms": int(time.time() * 1000), "state": sys.argv[3],
                "addr": "127.0.0.1"}).encode()
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(
    p + b"\n" + hmac.new(key, p, hashlib.sha256).hexdigest().encode(), ("127.0.0.1", 7707))
PY
}
report 1 drain
check "agent: drain report → weight 0" wait_for 10 weight_is 0
report 2 up
check "agent: up report → weight 5 again" wait_for 10 weight_is 5
stop

# lvs_sync_daemon follows VRRP: director A here (priority 100) and director B in netns lvsync
# (priority 50) over a veth pair, each with its own IPVS. The MASTER runs the master sync
# daemon, the BACKUP the backup one; they switch on every transition, and a stopped director
# takes its sync daemons with it.
ipvsadm -C
ip link add lvsa type veth peer name lvsb
ip netns add lvsync
ip link set lvsb netns lvsync
ip addr add 10.66.0.1/24 dev lvsa && ip link set lvsa up
ip netns exec lvsync sh -c 'ip link set lo up; ip addr add 10.66.0.2/24 dev lvsb; ip link set lvsb up'
sync_conf() { # sync_conf FILE IFACE PRIORITY
    cat >"$1" <<C
global_defs {
    lvs_sync_daemon $2 VI_S id 33
}
vrrp_instance VI_S {
    state BACKUP
    interface $2
    virtual_router_id 33
    priority $3
    advert_int 1
    virtual_ipaddress {
        10.66.0.100/24
    }
}
virtual_server 10.66.0.100 80 {
    lvs_sched rr
    lvs_method DR
    real_server 10.66.0.50 80
}
C
}
sync_conf "$S/conf" lvsa 100
sync_conf "$S/confb" lvsb 50
start
ip netns exec lvsync "$D" -n -l -p "$S/pidb" -f "$S/confb" >"$S/logb" 2>&1 &
pidb=$!
daemons_a() { ipvsadm -Ln --daemon; }
daemons_b() { ip netns exec lvsync ipvsadm -Ln --daemon; }
only() { # only WHICH master|backup IFACE: that daemon runs there, and no other
    out=$(daemons_$1)
    echo "$out" | grep -q "^$2 sync daemon (mcast=$3, syncid=33" && [ "$(echo "$out" | wc -l)" = 1 ]
}
t0=$(date +%s)
check "sync: the MASTER (A) runs the master daemon" wait_for 30 only a master lvsa
check "sync: the BACKUP (B) runs the backup daemon" wait_for 10 only b backup lvsb
stop
check "sync: A stopped takes its daemon with it" wait_for 5 sh -c "[ -z \"\$(ipvsadm -Ln --daemon)\" ]"
check "sync: B, now MASTER, switches to the master daemon" wait_for 20 only b master lvsb
start
check "sync: A back (preempts): the master daemon again" wait_for 30 only a master lvsa
check "sync: B back to BACKUP: the backup daemon again" wait_for 10 only b backup lvsb
echo "# sync daemon checks took $(($(date +%s) - t0)) s"
stop
kill -TERM "$pidb"
t=50
while kill -0 "$pidb" 2>/dev/null && [ $t -gt 0 ]; do sleep 0.1; t=$((t - 1)); done
check "sync: B stopped takes its daemon with it" sh -c "[ -z \"\$(ip netns exec lvsync ipvsadm -Ln --daemon)\" ]"
sed 's/^/# log B: /' "$S/logb" | grep -i "sync\|MASTER\|BACKUP\|error" | head -20
ip netns exec lvsync ipvsadm -C
ip netns del lvsync
ip link del lvsa 2>/dev/null
sed 's/^/# log: /' "$S/log" | head -60
ipvsadm -C
echo "# $n checks, $failed failed"
[ "$failed" = 0 ]
