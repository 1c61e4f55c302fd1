# Shared by the benches: prerequisites, and the four-node DR lab most of them use.
# Source after tests/lab/lab.sh.

# bench_require BINARY... [-- COMMAND...]: root, the built binaries and the installed commands, or
# exit 2 saying what is missing.
bench_require() {
    [ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 2; }
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        [ -x "$1" ] || { echo "no $1 (build it first)" >&2; exit 2; }
        shift
    done
    [ $# -gt 0 ] && shift
    for c in "$@"; do
        command -v "$c" >/dev/null || { echo "$c is not installed (scripts/bootstrap.sh)" >&2; exit 2; }
    done
}

# bench_dr_lab: lb1 10.77.0.1, rs1 $RS1, rs2 $RS2 and client 10.77.0.50 on one bridge (VIP,
# RS1 and RS2 set here). The client gets room for many short connections (namespaced sysctls).
bench_dr_lab() {
    VIP=10.77.0.100
    RS1=10.77.0.11 RS2=10.77.0.12
    lab_init
    lab_node lb1 10.77.0.1/24
    lab_node rs1 $RS1/24
    lab_node rs2 $RS2/24
    lab_node client 10.77.0.50/24
    lab_exec client sysctl -qw net.ipv4.ip_local_port_range="1024 65000" net.ipv4.tcp_tw_reuse=1
}
