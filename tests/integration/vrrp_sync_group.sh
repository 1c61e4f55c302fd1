#!/bin/bash
# vrrp_sync_group: two instances on each of two lvs-directors move together. A tracked script
# (weight 0) failing on one member of the master's group puts the whole group in FAULT, so the
# backup director takes both VIPs; the group's notify runs once per group state.
set -u
source "$LVSD_SOURCE_DIR/tests/lab/lab.sh"
source "$LVSD_SOURCE_DIR/tests/lab/vrrp.sh"
: "${LVS_DIRECTOR:?}"

lab_init
lab_node d1 10.77.0.1/24
lab_node d2 10.77.0.2/24
flag=$LAB_DIR/healthy
touch "$flag"
notes=$LAB_DIR/group.log
printf '#!/bin/sh\necho "$*" >>%s\n' "$notes" >"$LAB_DIR/notify.sh"
printf '#!/bin/sh\ntest -f %s\n' "$flag" >"$LAB_DIR/track.sh"
chmod 755 "$LAB_DIR/notify.sh" "$LAB_DIR/track.sh"

conf() { # conf PRIORITY [track]
    local track=""
    [ "${2:-}" = track ] && track="track_script {
        chk
    }"
    cat <<C
global_defs {
    vrrp_version 3
}
vrrp_script chk {
    script "$LAB_DIR/track.sh"
    interval 0.2
}
vrrp_sync_group G {
    group {
        VI_1
        VI_2
    }
    notify $LAB_DIR/notify.sh
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 81
    priority $1
    advert_int 0.1
    virtual_ipaddress {
        10.77.0.100/24
    }
}
vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 82
    priority $1
    advert_int 0.1
    $track
    virtual_ipaddress {
        10.77.0.102/24
    }
}
C
}
conf 100 track >"$LAB_DIR/d1.conf"
conf 50 >"$LAB_DIR/d2.conf"
p1=$(vrrp_start_ours d1 "$LAB_DIR/d1.conf")
p2=$(vrrp_start_ours d2 "$LAB_DIR/d2.conf")
check "10.77.0.100 on d1" vrrp_wait_holder 5 10.77.0.100/24 d1 d1 d2
check "10.77.0.102 on d1" vrrp_wait_holder 1 10.77.0.102/24 d1 d1 d2
check "group notify: MASTER once" lab_wait 3 grep -qx "GROUP G MASTER 100" "$notes"
check "group notify: one MASTER line" test "$(grep -c "GROUP G MASTER" "$notes")" = 1

rm -f "$flag" # VI_2's script fails (weight 0: FAULT), and VI_1 goes with it
check "VI_2 fails: d2 takes 10.77.0.102" vrrp_wait_holder 3 10.77.0.102/24 d2 d1 d2
check "VI_1 follows its group: d2 takes 10.77.0.100" vrrp_wait_holder 3 10.77.0.100/24 d2 d1 d2
check "d1 logs FAULT for both" lab_wait 3 bash -c \
    "[ \$(grep -c 'Entering FAULT' $LAB_DIR/director-d1.*.log) -ge 2 ]"
check "group notify: FAULT" lab_wait 3 grep -qx "GROUP G FAULT 100" "$notes"
touch "$flag"
check "script good again: d1 takes both back" vrrp_wait_holder 3 10.77.0.100/24 d1 d1 d2
check "... 10.77.0.102 too" vrrp_wait_holder 3 10.77.0.102/24 d1 d1 d2
lab_finish
