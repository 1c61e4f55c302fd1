# VRRP helpers for lab tests and benchmarks: write an instance config, run lvs-director or
# Debian's keepalived as a VRRP node, and ask who holds a VIP. Source after lab.sh.
#   vrrp_conf OUT VERSION ADVERT_INT PRIORITY VIP [key=value ...]
#       keys: vrid (51), state (BACKUP), preempt (yes|no), src/peers (unicast: "A" and "B C"),
#             auth (PASS password, v2 only), iface (eth0),
#             global (extra global_defs lines separated by ';', e.g. "vrrp_rt_priority 50;vrrp_no_swap")
#   pid=$(vrrp_start_ours NODE CONF)       lvs-director -n -l in NODE (needs LVS_DIRECTOR)
#   pid=$(vrrp_start_keepalived NODE CONF) keepalived -P -n -l in NODE, own pid files
#   vrrp_kill_node NODE PID                SIGKILL the daemon and its children, link down
#   vrrp_holders VIP NODE...               prints the nodes holding VIP, space separated

vrrp_conf() {
    local out=$1 ver=$2 int=$3 prio=$4 vip=$5; shift 5
    local vrid=51 state=BACKUP preempt=yes src="" peers="" auth="" iface=eth0 global="" kv
    for kv in "$@"; do
        case $kv in
        vrid=*) vrid=${kv#*=} ;; state=*) state=${kv#*=} ;; preempt=*) preempt=${kv#*=} ;;
        src=*) src=${kv#*=} ;; peers=*) peers=${kv#*=} ;; auth=*) auth=${kv#*=} ;;
        iface=*) iface=${kv#*=} ;; global=*) global=${kv#*=} ;;
        esac
    done
    {
        echo "global_defs {"
        echo "    vrrp_version $ver"
        local g gl=(); IFS=';' read -ra gl <<<"$global"
        for g in "${gl[@]}"; do [ -z "$g" ] || echo "    $g"; done
        echo "}"
        echo "vrrp_instance VI_$vrid {"
        echo "    state $state"
        echo "    interface $iface"
        echo "    virtual_router_id $vrid"
        echo "    priority $prio"
        echo "    advert_int $int"
        [ "$preempt" = no ] && echo "    nopreempt"
        if [ -n "$auth" ]; then
            echo "    authentication {"
            echo "        auth_type PASS"
            echo "        auth_pass $auth"
            echo "    }"
        fi
        if [ -n "$peers" ]; then
            echo "    unicast_src_ip $src"
            echo "    unicast_peer {"
            local p; for p in $peers; do echo "        $p"; done
            echo "    }"
        fi
        echo "    virtual_ipaddress {"
        echo "        $vip dev $iface"
        echo "    }"
        echo "}"
    } >"$out"
}

# Each start logs to its own file, $LAB_DIR/director-NODE.<seconds.ns>.log (callers run these in
# $(...), so a counter would not survive).
vrrp_start_ours() {
    lab_spawn "$1" "director-$1.$(date +%s.%N)" "$LVS_DIRECTOR" -n -l -f "$2"
}

vrrp_start_keepalived() {
    local n=$1 conf=$2 r="$LAB_DIR/ka-$1"
    # /run is shared by all namespaces: without pid files of its own a second keepalived
    # exits silently.
    lab_spawn "$n" "keepalived-$n.$(date +%s.%N)" keepalived -P -n -l -D -G -f "$conf" \
        -p "$r.pid" -r "$r.vrrp.pid" -c "$r.check.pid" -b "$r.bfd.pid"
}

# A dead director: the process and its children killed (no priority-0 goodbye), its link down.
vrrp_kill_node() {
    local n=$1 pid=$2 c
    for c in $(cat "/proc/$pid/task/"*/children 2>/dev/null); do kill -KILL "$c" 2>/dev/null; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    # Started in $(...), the process is nobody's child here and may stay an unreaped zombie,
    # which keepalived's pid-file check takes for a live copy.
    rm -f "$LAB_DIR/ka-$n".*pid
    lab_exec "$n" ip link set eth0 down
}

# A node back from the dead: link up, stale VIP (left by SIGKILL) removed.
vrrp_revive_node() {
    local n=$1 vip=$2
    lab_exec "$n" ip addr del "$vip" dev eth0 2>/dev/null
    lab_exec "$n" ip link set eth0 up
}

vrrp_holders() {
    local vip=${1%/*} n out=""; shift
    local addrs
    for n in "$@"; do
        # Read first, then match: `ip | grep -q` dies of SIGPIPE under pipefail.
        addrs=$(lab_exec "$n" ip -o addr show dev eth0)
        grep -q "inet6\? $vip/" <<<"$addrs" && out+="$n "
    done
    echo "${out% }"
}

# vrrp_wait_holder SECS VIP WANT NODE...: until exactly WANT (a node name) holds VIP.
vrrp_wait_holder() {
    local secs=$1 vip=$2 want=$3; shift 3
    local tries=$((secs * 20)) i
    for ((i = 0; i < tries; i++)); do
        [ "$(vrrp_holders "$vip" "$@")" = "$want" ] && return 0
        sleep 0.05
    done
    lab_log "holders of $vip: '$(vrrp_holders "$vip" "$@")', wanted '$want'"
    return 1
}

# vrrp_stats NODE PID: lvs-director's stats dump (SIGUSR2) as JSON on stdout.
vrrp_stats() {
    local n=$1 pid=$2 ino f
    ino=$(stat -L -c %i "/run/netns/$(lab_ns "$n")")
    f="/run/lvsd/director.netns$ino.stats.json"
    rm -f "$f"
    kill -USR2 "$pid"
    lab_wait 5 test -s "$f" && cat "$f"
}
