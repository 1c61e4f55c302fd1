#!/usr/bin/env bash
# AGENT_CHECK end to end: lvs-director pulls HAProxy agent-check text from the real lvs-realserver
# `run` (agent_port) and the table follows it, read back with lvsctl list:
#   - up → configured weight; `lvs-realserver drain` → weight 0, still listed; `undrain` → back
#   - the ruleset flushed under the director (a firewall reload): the table comes back by itself
#   - the agent port closed (agent stopped) → the server leaves the table
#   - an agent that sends an endless line, and one that never ends its line: down at the bound
#     (line limit at once, connect_timeout for the silent one), while the healthy server's
#     checks go on at their pace (its drain still shows within a second)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lab/lab.sh"
. "$here/../lab/vrrp.sh"
: "${LVS_DIRECTOR:?}" "${LVS_REALSERVER:?}"
BUILD=$(cd "$(dirname "$LVS_REALSERVER")/.." && pwd)
LVSCTL=${LVSCTL:-$BUILD/tools/lvsctl}
[ -x "$LVSCTL" ] || { echo "lvsctl not built at $LVSCTL"; exit 1; }
VIP=10.77.0.100

lab_init
lab_node d1 10.77.0.1/24
lab_node rs1 10.77.0.11/24
lab_node rs2 10.77.0.12/24
lab_node rs3 10.77.0.13/24

ngx=$(lab_nginx rs1 80 rs1) || exit 1
cat >"$LAB_DIR/rs1.conf" <<C
virtual_ipaddress {
    $VIP
}
service web {
    port 80
    http_get { path /healthz }
}
check_interval 0.2
agent_port 7708
C
prs=$(lab_spawn rs1 realserver "$LVS_REALSERVER" --config "$LAB_DIR/rs1.conf" run)

# rs2 and rs3: agents gone wrong. rs2 floods bytes without a newline; rs3 says "up" and never
# ends the line. Both keep their connections open (bounded: 60 s at most).
misbehave() { # misbehave NODE MODE
    lab_spawn "$1" "agent-$1" timeout 120 python3 -c '
import socket, sys, threading, time
mode = sys.argv[1]
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("0.0.0.0", 7708)); srv.listen(64)
def serve(c):
    try:
        if mode == "flood":
            for _ in range(200):
                c.sendall(b"u" * 1024); time.sleep(0.01)
        else:
            c.sendall(b"up"); time.sleep(60)
    except OSError:
        pass
    c.close()
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()' "$2"
}
misbehave rs2 flood >/dev/null
misbehave rs3 silent >/dev/null
for n in rs2 rs3; do
    lab_wait 10 bash -c "ss -N $(lab_ns $n) -Htln '( sport = :7708 )' | grep -q 7708" ||
        { lab_log "the misbehaving agent in $n did not start"; exit 1; }
done

# agent_rs ADDR WEIGHT [EXTRA]: a real server checked by AGENT_CHECK only.
agent_rs() {
    cat <<C
    real_server $1 80 {
        weight $2
        AGENT_CHECK {
            connect_port 7708
            connect_timeout 1
            retry 0
            ${3:-}
        }
    }
C
}
{
    cat <<C
global_defs {
    router_id d1
    default_interface eth0
}
virtual_server $VIP 80 {
    delay_loop 0.3
    lb_algo wrr
    lb_kind DR
    protocol TCP
C
    agent_rs 10.77.0.11 4
    agent_rs 10.77.0.12 2 log_all_failures
    agent_rs 10.77.0.13 2 log_all_failures
    echo "}"
} >"$LAB_DIR/d1.conf"
check "lvs-director -t accepts AGENT_CHECK" "$LVS_DIRECTOR" -t -f "$LAB_DIR/d1.conf"
pd=$(vrrp_start_ours d1 "$LAB_DIR/d1.conf")
listing() { lab_exec d1 "$LVSCTL" list 2>/dev/null; }
weight_is() { listing | grep -q "$1:80 *Route *$2 "; }
absent() { ! listing | grep -q "$1:80"; }

check "rs1 up at its configured weight 4" lab_wait 10 weight_is 10.77.0.11 4
check "rs2 (endless line) is not in the table" lab_wait 5 absent 10.77.0.12
check "rs3 (line never ended) is not in the table" lab_wait 5 absent 10.77.0.13
dlog=$(ls "$LAB_DIR"/director-d1.*.log | head -1)
check "rs2's failure names the line limit" \
    lab_wait 3 grep -q "10.77.0.12:80.*longer than 512 bytes" "$dlog"
check "rs3's failure is the timeout" lab_wait 3 grep -q "10.77.0.13:80.*timed out" "$dlog"

# drain while the two bad agents keep their checks busy: rs1 goes to weight 0 within
# delay_loop plus a round of the agent, not held up by the others.
t0=$(date +%s%N)
lab_exec rs1 "$LVS_REALSERVER" --config "$LAB_DIR/rs1.conf" drain >/dev/null
check "drain: rs1 at weight 0, still listed" lab_wait 5 weight_is 10.77.0.11 0
t1=$(date +%s%N)
lab_log "drain reached the table after $(((t1 - t0) / 1000000)) ms (delay_loop 0.3 s)"
check "drain seen within 1.5 s despite the hanging agents" test $(((t1 - t0) / 1000000)) -le 1500
lab_exec rs1 "$LVS_REALSERVER" --config "$LAB_DIR/rs1.conf" undrain >/dev/null
check "undrain: rs1 back at weight 4" lab_wait 5 weight_is 10.77.0.11 4

# A firewall reload flushes the whole ruleset, our tables with it. The director keeps what it
# last wrote, but it looks at the ruleset's generation each second: someone else committed, so
# it reads the kernel and puts its table back, without waiting for a change of its own.
lab_exec d1 nft flush ruleset
check "ruleset flushed: the director puts the table back within 3 s" \
    lab_wait 3 weight_is 10.77.0.11 4
check "... and says why" grep -q "someone else changed the ruleset" "$dlog"
lab_exec d1 nft list ruleset >"$LAB_DIR/saved.nft"
lab_exec rs1 "$LVS_REALSERVER" --config "$LAB_DIR/rs1.conf" drain >/dev/null
check "after the flush a change applies as before: rs1 at 0" lab_wait 5 weight_is 10.77.0.11 0
# Someone else's table next to ours changes nothing of ours.
lab_exec d1 nft add table ip other
sleep 1.5
check "another table added: rs1 still at 0" weight_is 10.77.0.11 0
# A saved ruleset restored brings back an old copy of our table (rs1 at 4): new tables, so the
# director reads them and mends them to what it holds (rs1 drained, at 0).
lab_exec d1 bash -c "{ echo 'flush ruleset'; cat '$LAB_DIR/saved.nft'; } | nft -f -"
check "an old copy restored: the director mends it, rs1 at 0 within 3 s" \
    lab_wait 3 weight_is 10.77.0.11 0
lab_exec rs1 "$LVS_REALSERVER" --config "$LAB_DIR/rs1.conf" undrain >/dev/null
check "... and the one after it: rs1 back at 4" lab_wait 5 weight_is 10.77.0.11 4

# The agent goes away (no one on 7708): connection refused → down, out of the table.
lab_stop $prs
check "agent port closed: rs1 leaves the table" lab_wait 5 absent 10.77.0.11
listing | sed 's/^/    /' >&2
lab_stop $pd
lab_stop $ngx
lab_finish
