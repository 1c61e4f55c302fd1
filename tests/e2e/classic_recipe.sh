#!/bin/bash
# The classic LVS + keepalived + nginx recipe, end to end, as an operator tests it by hand: two
# directors (MASTER 100 / BACKUP 50, VRID 51, advert_int 1, DR, rr, TCP_CHECK) from one
# keepalived.conf each, two nginx real servers prepared by lvs-realserver, one client.
# Steps (issue 7): 1 VIP answers and both servers serve; 2 lvsctl shows the table; 3 master stop
# moves the VIP, the client keeps being served, restart preempts; 5 VRRP blocked → two masters,
# a warning, and convergence when unblocked; 6 the files are keepalived's own syntax (keepalived
# -t accepts them); 4 nginx stopped on one real server takes it out of the table and every request
# goes to the other; started again, it comes back.
set -u
source "$LVSD_SOURCE_DIR/tests/lab/lab.sh"
source "$LVSD_SOURCE_DIR/tests/lab/vrrp.sh"
source "$LVSD_SOURCE_DIR/tests/lab/recipe.sh"
: "${LVS_DIRECTOR:?}" "${LVS_REALSERVER:?}"
LVSCTL=${LVSCTL:?path to lvsctl}
VIP=10.77.0.100

lab_init
lab_node lb1 10.77.0.1/24
lab_node lb2 10.77.0.2/24
lab_node rs1 10.77.0.11/24
lab_node rs2 10.77.0.12/24
lab_node client 10.77.0.50/24

recipe_conf MASTER 100 $VIP >"$LAB_DIR/lb1.conf"
recipe_conf BACKUP 50 $VIP >"$LAB_DIR/lb2.conf"

# Step 6 first: the files are keepalived's own.
check "6: keepalived -t accepts both files" \
    bash -c "keepalived -t -f $LAB_DIR/lb1.conf >/dev/null 2>&1 && keepalived -t -f $LAB_DIR/lb2.conf >/dev/null 2>&1"
check "6: lvs-director -t accepts them too" \
    bash -c "$LVS_DIRECTOR -t -f $LAB_DIR/lb1.conf && $LVS_DIRECTOR -t -f $LAB_DIR/lb2.conf"

ngx1=$(lab_nginx rs1 80 rs1)
ngx2=$(lab_nginx rs2 80 rs2)
for rs in rs1 rs2; do
    lab_exec $rs "$LVS_REALSERVER" start --vip $VIP >/dev/null
done
p1=$(vrrp_start_ours lb1 "$LAB_DIR/lb1.conf")
p2=$(vrrp_start_ours lb2 "$LAB_DIR/lb2.conf")
check "VIP on lb1 only" vrrp_wait_holder 10 $VIP/32 lb1 lb1 lb2

# 1. The VIP answers; requests through it are served by both nginx servers.
check "1: the VIP answers ping" lab_wait 5 lab_exec client ping -q -c1 -W1 $VIP
check "1: TCP connect to VIP:80" lab_wait 5 lab_exec client bash -c "exec 3<>/dev/tcp/$VIP/80"
served() { # served N: N requests, one line per answer (fresh source port each)
    local i
    for ((i = 0; i < $1; i++)); do
        lab_exec client curl -s -m 1 "http://$VIP/" || echo FAIL
    done
}
out=$(served 40)
check "1: rs1 serves through the VIP" grep -qx rs1 <<<"$out"
check "1: rs2 serves through the VIP" grep -qx rs2 <<<"$out"
check "1: no request failed" test "$(grep -c FAIL <<<"$out")" = 0
lab_log "split over 40 requests: rs1 $(grep -cx rs1 <<<"$out"), rs2 $(grep -cx rs2 <<<"$out")"

# 2. lvsctl shows the virtual server with both real servers and their weights.
listing=$(lab_exec lb1 "$LVSCTL" list)
echo "$listing" | sed 's/^/    /'
check "2: lvsctl lists TCP $VIP:80" grep -q "TCP  $VIP:80" <<<"$listing"
check "2: ... with rs1, weight 1" grep -q "10.77.0.11:80 *Route *1 " <<<"$listing"
check "2: ... with rs2, weight 1" grep -q "10.77.0.12:80 *Route *1 " <<<"$listing"
check "2: lvsctl vrrp says lb1 is MASTER" bash -c "lab_exec() { ip netns exec $(lab_ns lb1) \"\$@\"; }; lab_exec $LVSCTL vrrp | grep -qi 'VI_1.*master'"

# 3. Stopping the master moves the VIP to the backup and the client keeps being served;
#    restarting the master brings it back (preemption).
lab_exec client bash -c "for i in \$(seq 150); do curl -s -m 0.5 http://$VIP/ || echo FAIL; sleep 0.02; done" \
    >"$LAB_DIR/probe.txt" 2>&1 &
probe=$!
sleep 0.5
lab_stop $p1
check "3: master stopped: VIP on lb2 only" vrrp_wait_holder 5 $VIP/32 lb2 lb1 lb2
p1=$(vrrp_start_ours lb1 "$LAB_DIR/lb1.conf")
check "3: master restarted: VIP back on lb1 only" vrrp_wait_holder 10 $VIP/32 lb1 lb1 lb2
wait $probe
fails=$(grep -c FAIL "$LAB_DIR/probe.txt")
lab_log "3: $(wc -l <"$LAB_DIR/probe.txt") probes during stop and preempt, $fails failed"
check "3: the client kept being served (at most 2 failed probes)" test "$fails" -le 2

# 4. nginx stops on rs2: TCP_CHECK (delay_loop 1, connect_timeout 1) takes it out of the table.
in_table() { lab_exec lb1 "$LVSCTL" list | grep -q "$1:80"; }
kill -TERM $ngx2
check "4: rs2 leaves the table" lab_wait 10 bash -c "! ip netns exec $(lab_ns lb1) $LVSCTL list | grep -q 10.77.0.12:80"
out=$(served 10)
check "4: every request goes to rs1" test "$(grep -cx rs1 <<<"$out")" = 10
ngx2=$(lab_nginx rs2 80 rs2)
check "4: nginx back on rs2: it returns to the table" lab_wait 10 in_table 10.77.0.12
out=$(served 20)
check "4: rs2 serves again" grep -qx rs2 <<<"$out"

# 5. VRRP blocked between the directors: two masters and a warning; unblocked: one master.
lab_exec lb2 nft -f - <<'NFT'
table inet lvsd_e2e {
    chain input {
        type filter hook input priority 0;
        meta l4proto 112 drop
    }
}
NFT
check "5: VRRP blocked: both directors master" vrrp_wait_holder 6 $VIP/32 "lb1 lb2" lb1 lb2
check "5: split brain is logged" lab_wait 5 grep -q "another MASTER on VRID 51" "$LAB_DIR"/director-lb1.*.log
lab_exec lb2 nft delete table inet lvsd_e2e
check "5: unblocked: one master again (lb1)" vrrp_wait_holder 6 $VIP/32 lb1 lb1 lb2
out=$(served 10)
check "5: served again after convergence" test "$(grep -c FAIL <<<"$out")" = 0
lab_finish
