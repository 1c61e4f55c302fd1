#!/bin/bash
# Split brain: VRRP blocked into the backup (nft drop of protocol 112) makes it a second master;
# the director that still hears it warns; lifting the block converges to one master.
set -u
source "$LVSD_SOURCE_DIR/tests/lab/lab.sh"
source "$LVSD_SOURCE_DIR/tests/lab/vrrp.sh"
: "${LVS_DIRECTOR:?}"

lab_init
lab_node d1 10.77.0.1/24
lab_node d2 10.77.0.2/24
VIP=10.77.0.100/24
vrrp_conf "$LAB_DIR/d1.conf" 3 0.1 100 $VIP vrid=95
vrrp_conf "$LAB_DIR/d2.conf" 3 0.1 50 $VIP vrid=95
p1=$(vrrp_start_ours d1 "$LAB_DIR/d1.conf")
p2=$(vrrp_start_ours d2 "$LAB_DIR/d2.conf")
check "converges: d1 master" vrrp_wait_holder 5 $VIP d1 d1 d2
lab_exec d2 nft -f - <<'NFT'
table inet lvsd_test {
    chain input {
        type filter hook input priority 0;
        meta l4proto 112 drop
    }
}
NFT
check "VRRP blocked into d2: both hold the VIP" vrrp_wait_holder 3 $VIP "d1 d2" d1 d2
check "d1 warns of another master" lab_wait 3 grep -q "another MASTER on VRID 95: 10.77.0.2" \
    "$LAB_DIR"/director-d1.*.log
lab_exec d2 nft delete table inet lvsd_test
check "block lifted: one master again (d1)" vrrp_wait_holder 3 $VIP d1 d1 d2
lab_finish
