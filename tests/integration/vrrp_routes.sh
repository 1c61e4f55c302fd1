#!/bin/bash
# virtual_routes and VIP options: present on the master only, gone when it stops.
set -u
source "$LVSD_SOURCE_DIR/tests/lab/lab.sh"
source "$LVSD_SOURCE_DIR/tests/lab/vrrp.sh"
: "${LVS_DIRECTOR:?}"

lab_init
lab_node d1 10.77.0.1/24
lab_node d2 10.77.0.2/24
conf() {
    cat <<C
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 91
    priority $1
    advert_int 1
    virtual_ipaddress {
        10.77.0.100/24
        10.88.0.1/32 dev eth0 scope link label eth0:lnk
    }
    virtual_routes {
        10.99.0.0/24 via 10.77.0.254 dev eth0 metric 7
        blackhole 10.98.0.0/24
        src 10.77.0.100 10.97.0.0/24 dev eth0 table 100
    }
}
C
}
conf 100 >"$LAB_DIR/d1.conf"
conf 50 >"$LAB_DIR/d2.conf"
p1=$(vrrp_start_ours d1 "$LAB_DIR/d1.conf")
p2=$(vrrp_start_ours d2 "$LAB_DIR/d2.conf")
check "d1 is master" vrrp_wait_holder 8 10.77.0.100/24 d1 d1 d2
check "route via a gateway with its metric" \
    bash -c "ip -n $(lab_ns d1) route show | grep -q '^10.99.0.0/24 via 10.77.0.254 dev eth0 proto static metric 7'"
check "blackhole route" bash -c "ip -n $(lab_ns d1) route show | grep -q '^blackhole 10.98.0.0/24'"
check "route with src in table 100" \
    bash -c "ip -n $(lab_ns d1) route show table 100 | grep -q '10.97.0.0/24 dev eth0 .*src 10.77.0.100'"
check "scoped, labelled VIP" \
    bash -c "ip -n $(lab_ns d1) -4 addr show dev eth0 | grep -q 'inet 10.88.0.1/32 scope link eth0:lnk'"
check "the backup holds none of the routes" \
    bash -c "! ip -n $(lab_ns d2) route show table all | grep -q '10.9[789].0.0'"
lab_stop $p1
check "d2 takes over with the routes" \
    lab_wait 8 bash -c "ip -n $(lab_ns d2) route show | grep -q '^10.99.0.0/24 via 10.77.0.254'"
check "d1 removed its routes at stop" \
    bash -c "! ip -n $(lab_ns d1) route show table all | grep -q '10.9[789].0.0'"
check "d1 removed the scoped VIP" bash -c "! ip -n $(lab_ns d1) addr show | grep -q 10.88.0.1"
lab_finish
