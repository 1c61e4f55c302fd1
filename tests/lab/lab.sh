# lvsd test lab: network namespaces on a bridge, real processes in them, and a teardown that
# always runs. Source it from a bash test, call lab_init, then build the topology:
#
#   lab_init                      # switch namespace with bridge br0; teardown on EXIT
#   lab_node rs1 10.77.0.11/24    # namespace + veth on the bridge as eth0
#   lab_exec rs1 ip addr          # run in a node
#   pid=$(lab_spawn rs1 name cmd...)   # background process, stopped by PID at teardown
#   lab_nginx rs1 80 "rs1"        # real nginx answering "rs1\n" on :80
#   check "what" cmd...           # assertion; lab_finish exits 1 if any failed
#
# Names are unique to the run (namespace prefix $LAB_ID), so parallel runs do not collide.
# Every wait is bounded. Nothing touches the root namespace's devices or sysctls.

LAB_ID=${LAB_ID:-lt$(printf '%05d' $$)$(printf '%04x' $RANDOM)}
LAB_DIR=""
LAB_NODES=()
LAB_FAILS=0
LAB_CHECKS=0

lab_log() { printf '[%(%T)T %s] %s\n' -1 "${LAB_ID}" "$*" >&2; }

lab_ns() { printf '%s-%s' "$LAB_ID" "$1"; }

lab_init() {
    LAB_DIR=$(mktemp -d "/tmp/lvsd-lab.${LAB_ID}.XXXXXX")
    : >"$LAB_DIR/pids"
    trap lab_teardown EXIT
    trap 'exit 130' INT TERM
    local sw; sw=$(lab_ns sw)
    ip netns add "$sw"
    LAB_NODES+=(sw)
    ip -n "$sw" link set lo up
    # STP and forward_delay would hold new ports for 2x15 s.
    ip -n "$sw" link add br0 type bridge stp_state 0 forward_delay 0
    ip -n "$sw" link set br0 up
    lab_log "lab up in $LAB_DIR"
}

# lab_node NAME [ADDR/LEN ...]: a namespace with eth0 on the bridge (MAC derived from the index).
lab_node() {
    local name=$1; shift
    local ns sw idx mac
    ns=$(lab_ns "$name"); sw=$(lab_ns sw)
    idx=${#LAB_NODES[@]}
    mac=$(printf '02:1a:b0:00:00:%02x' "$idx")
    ip netns add "$ns"
    LAB_NODES+=("$name")
    ip -n "$ns" link set lo up
    ip -n "$sw" link add "p-$name" type veth peer name eth0 address "$mac" netns "$ns"
    ip -n "$sw" link set "p-$name" master br0 up
    for a in "$@"; do ip -n "$ns" addr add "$a" dev eth0; done
    ip -n "$ns" link set eth0 up
    # Namespaces inherit conf/all from the host: pin what the tests depend on.
    ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0
}

lab_mac() { ip -n "$(lab_ns "$1")" -br link show dev eth0 | awk '{print $3}'; }

lab_exec() { local n=$1; shift; ip netns exec "$(lab_ns "$n")" "$@"; }

# lab_spawn NODE NAME CMD...: background process in NODE, output in $LAB_DIR/NAME.log; prints PID.
lab_spawn() {
    local n=$1 name=$2; shift 2
    ip netns exec "$(lab_ns "$n")" "$@" >"$LAB_DIR/$name.log" 2>&1 </dev/null &
    local pid=$!
    echo "$pid" >>"$LAB_DIR/pids"
    echo "$pid"
}

# lab_stop PID [SIGNAL]: signal one process and wait (bounded) for it to end.
lab_stop() {
    local pid=$1 sig=${2:-TERM} i
    kill -"$sig" "$pid" 2>/dev/null || return 0
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

# lab_wait SECONDS CMD...: retries CMD every 0.1 s until it succeeds or the time is up.
lab_wait() {
    local secs=$1; shift
    local tries=$((secs * 10)) i
    for ((i = 0; i < tries; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

# lab_nginx_run NODE NAME PORT [WORKER_CONNECTIONS]: real nginx in the foreground of its own process
# group, in $LAB_DIR/nginx-NAME, with the http-level lines and server blocks read from stdin; waits
# until PORT answers on NODE's loopback and prints the PID.
lab_nginx_run() {
    local n=$1 name=$2 port=$3 conns=${4:-256} d="$LAB_DIR/nginx-$2"
    mkdir -p "$d"
    {
        cat <<CONF
daemon off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections $conns; }
http {
    access_log off;
    client_body_temp_path $d/body;
    proxy_temp_path $d/proxy;
    fastcgi_temp_path $d/fastcgi;
    uwsgi_temp_path $d/uwsgi;
    scgi_temp_path $d/scgi;
CONF
        cat
        echo "}"
    } >"$d/nginx.conf"
    local pid
    pid=$(lab_spawn "$n" "nginx-$name" nginx -c "$d/nginx.conf")
    if ! lab_wait 10 lab_exec "$n" bash -c "exec 3<>/dev/tcp/127.0.0.1/$port"; then
        lab_log "nginx $name in $n did not start:"; cat "$d/error.log" "$LAB_DIR/nginx-$name.log" >&2
        return 1
    fi
    echo "$pid"
}

# lab_nginx NODE PORT BODY: nginx on PORT (IPv4 and IPv6) answering BODY, /healthz and /broken (503).
lab_nginx() {
    local n=$1 port=$2 body=$3
    lab_nginx_run "$n" "$n-$port" "$port" <<CONF
    server {
        listen $port;
        listen [::]:$port;
        location = /healthz { return 200 "ok\n"; }
        location = /broken { return 503 "broken\n"; }
        location / { return 200 "$body\n"; }
    }
CONF
}

lab_teardown() {
    local rc=$? pid n ns
    trap - EXIT
    set +e # teardown must run to the end, also under a caller's `set -e`
    if [ -s "$LAB_DIR/pids" ]; then
        while read -r pid; do kill -TERM "$pid" 2>/dev/null; done <"$LAB_DIR/pids"
        for _ in $(seq 1 30); do
            local alive=0
            while read -r pid; do kill -0 "$pid" 2>/dev/null && alive=1; done <"$LAB_DIR/pids"
            [ $alive = 0 ] && break
            sleep 0.1
        done
        while read -r pid; do kill -KILL "$pid" 2>/dev/null; done <"$LAB_DIR/pids"
    fi
    # Anything else still running inside our namespaces (nginx workers, helpers), by PID.
    for n in "${LAB_NODES[@]}"; do
        ns=$(lab_ns "$n")
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    done
    for n in "${LAB_NODES[@]}"; do
        ns=$(lab_ns "$n")
        # lvs-realserver keys its state by namespace inode; a failed test may leave it behind.
        local ino; ino=$(stat -L -c %i "/run/netns/$ns" 2>/dev/null)
        [ -n "$ino" ] && rm -f "/run/lvsd/realserver.netns$ino.state"{,.lock,.tmp,.pid} \
            "/run/lvs-director.netns$ino.pid" "/run/lvsd/director.netns$ino.stats.json"{,.tmp} \
            "/run/lvsd/director.netns$ino.sock"
        ip netns del "$ns" 2>/dev/null
    done
    if [ -n "${LAB_KEEP:-}" ] || [ $rc != 0 ]; then
        lab_log "logs kept in $LAB_DIR"
    else
        rm -rf "$LAB_DIR"
    fi
    exit $rc
}

check() {
    local what=$1; shift
    LAB_CHECKS=$((LAB_CHECKS + 1))
    if "$@"; then
        printf 'ok   %s\n' "$what"
    else
        printf 'FAIL %s\n' "$what"
        LAB_FAILS=$((LAB_FAILS + 1))
    fi
}

lab_finish() {
    printf '%d checks, %d failed\n' "$LAB_CHECKS" "$LAB_FAILS"
    [ "$LAB_FAILS" = 0 ]
}
