#!/usr/bin/env bash
# Health checkers end to end in the namespace lab, against real nginx (plain and TLS with a
# self-signed certificate made by `openssl req`): tests/tools/check_run runs the checkers of a
# keepalived.conf in the director's namespace and prints every state change and the table.
#   - stop nginx on a real server → down within delay_loop + connect_timeout; start → up
#   - wrong digest, wrong status → down; inhibit_on_failure → weight 0, not removal
#   - SSL_GET with digest; sorry_server takes over when all are down
#   - SYNs dropped (nft) → down when connect_timeout ends
#   - lvs-genhash prints the digest the checker expects (plain and -S)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lab/lab.sh"
RS=${LVS_REALSERVER:?path to lvs-realserver, whose build tree holds tests/tools/check_run}
BUILD=$(cd "$(dirname "$RS")/.." && pwd)
RUN=${CHECK_RUN:-$BUILD/tests/tools/check_run}
GENHASH=${LVS_GENHASH:-$BUILD/tools/lvs-genhash}
[ -x "$RUN" ] || { echo "check_run not built at $RUN"; exit 1; }
[ -x "$GENHASH" ] || { echo "lvs-genhash not built at $GENHASH"; exit 1; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }
count() { grep -c -- "$1" "$LAB_DIR/checkrun.log"; }
# wait_more PATTERN N SECS: until PATTERN has matched more than N lines of the driver's log.
wait_more() { lab_wait "$3" bash -c "[ \$(grep -c -- '$1' '$LAB_DIR/checkrun.log') -gt $2 ]"; }
last_table() { grep "^table .* $1" "$LAB_DIR/checkrun.log" | tail -1; }
md5() { printf '%s' "$1" | md5sum | cut -d' ' -f1; }

# tls_nginx NODE PORT: nginx with TLS on PORT, /healthz → "ok\n"; prints PID.
tls_nginx() {
    local n=$1 port=$2
    [ -f "$LAB_DIR/cert.pem" ] || openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
        -subj /CN=rs.lab.test -keyout "$LAB_DIR/key.pem" -out "$LAB_DIR/cert.pem" >/dev/null 2>&1
    lab_nginx_run "$n" "tls-$n-$port" "$port" 64 <<CONF
    server {
        listen $port ssl;
        ssl_certificate $LAB_DIR/cert.pem;
        ssl_certificate_key $LAB_DIR/key.pem;
        location = /healthz { return 200 "ok\n"; }
        location / { return 200 "tls\n"; }
    }
CONF
}

lab_init
lab_node lb 10.77.0.10/24
lab_node rs1 10.77.0.11/24
lab_node rs2 10.77.0.12/24
lab_node rs3 10.77.0.13/24 10.77.0.14/24
# SYNs to 10.77.0.14:80 vanish: a connect there can only time out.
lab_exec rs3 nft -f - <<'NFT'
table inet checks_test {
    chain input {
        type filter hook input priority 0;
        ip daddr 10.77.0.14 tcp dport 80 drop
    }
}
NFT

ng1=$(lab_nginx rs1 80 rs1) || exit 1
ng2=$(lab_nginx rs2 80 rs2) || exit 1
ngt=$(tls_nginx rs2 443) || exit 1

# lvs-genhash gives the digests the config below expects.
d1=$(lab_exec lb "$GENHASH" -s 10.77.0.11 -p 80 -u /)
check "lvs-genhash digest of rs1 is md5(\"rs1\\n\")" [ "$d1" = "$(md5 $'rs1\n')" ]
dt=$(lab_exec lb "$GENHASH" -S -I -s 10.77.0.12 -p 443 -u /healthz -V rs.lab.test)
check "lvs-genhash -S digest of /healthz is md5(\"ok\\n\")" [ "$dt" = "$(md5 $'ok\n')" ]
if [ -x /usr/bin/genhash ]; then # keepalived's own, when installed: same digests
    check "keepalived's genhash agrees (HTTP)" \
        [ "$(lab_exec lb /usr/bin/genhash -s 10.77.0.11 -p 80 -u /)" = "$d1" ]
    check "keepalived's genhash agrees (SSL)" [ "$(lab_exec lb /usr/bin/genhash -S -s 10.77.0.12 \
        -p 443 -u /healthz -V rs.lab.test)" = "$dt" ]
fi
lab_exec lb "$GENHASH" -v -s 10.77.0.11 -p 80 -u /broken | grep 'HTTP status = 503' >/dev/null
check "lvs-genhash -v shows the status" [ $? = 0 ]
lab_exec lb "$GENHASH" -s 10.77.0.14 -p 80 -t 0.5 >/dev/null 2>&1
check "lvs-genhash fails against dropped SYNs" [ $? = 1 ]

conf="$LAB_DIR/keepalived.conf"
cat >"$conf" <<CONF
virtual_server 10.77.0.100 80 {
    delay_loop 1
    lb_kind DR
    real_server 10.77.0.11 80 {
        weight 3
        HTTP_GET {
            url {
                path /
                digest $d1
            }
            connect_timeout 1
            retry 0
        }
    }
    real_server 10.77.0.12 80 {
        weight 2
        inhibit_on_failure
        TCP_CHECK {
            connect_timeout 1
            retry 0
        }
    }
}
virtual_server 10.77.0.100 443 {
    delay_loop 1
    lb_kind DR
    sorry_server 10.77.0.13 443
    real_server 10.77.0.12 443 {
        SSL_GET {
            url {
                path /healthz
                digest $dt
            }
            connect_timeout 1
            retry 0
        }
    }
}
virtual_server 10.77.0.101 80 {
    delay_loop 1
    lb_kind DR
    real_server 10.77.0.11 80 {
        HTTP_GET {
            url {
                path /
                digest 00000000000000000000000000000000
            }
            connect_timeout 1
            retry 0
        }
    }
    real_server 10.77.0.12 80 {
        HTTP_GET {
            url {
                path /broken
            }
            connect_timeout 1
            retry 0
        }
    }
    real_server 10.77.0.14 80 {
        TCP_CHECK {
            connect_timeout 1
            retry 0
        }
    }
}
CONF
runner=$(lab_spawn lb checkrun "$RUN" -v "$conf")
log="$LAB_DIR/checkrun.log"
lab_wait 10 grep -q '^start' "$log"
check "check_run started" [ $? = 0 ]

# Wrong digest, wrong status, SYNs dropped: down within delay_loop + connect_timeout (+ slack).
wait_more 'change .* 10.77.0.101:80 10.77.0.11:80 down' 0 4
check "wrong digest → down" [ $? = 0 ]
wait_more 'change .* 10.77.0.101:80 10.77.0.12:80 down' 0 4
check "status 503 → down" [ $? = 0 ]
wait_more 'change .* 10.77.0.101:80 10.77.0.14:80 down' 0 4
check "dropped SYNs → down at connect_timeout" [ $? = 0 ]
grep -q 'result .* 10.77.0.14:80 fail connect timed out' "$log"
check "  ...reported as a connect timeout" [ $? = 0 ]
check "good servers stay up" [ "$(grep -c 'change .* 10.77.0.100:' "$log")" = 0 ]
last_table 'TCP 10.77.0.100:80' | grep '10.77.0.11:80=3 10.77.0.12:80=2' >/dev/null
check "table holds both real servers" [ $? = 0 ]

# Stop nginx on rs1: it leaves the table within delay_loop + connect_timeout.
t0=$(now_ms)
lab_stop "$ng1"
wait_more 'change .* 10.77.0.100:80 10.77.0.11:80 down' 0 5
check "nginx stopped on rs1 → down" [ $? = 0 ]
t1=$(now_ms)
check "  ...within delay_loop + connect_timeout ($((t1 - t0)) ms ≤ 2500)" [ $((t1 - t0)) -le 2500 ]
last_table 'TCP 10.77.0.100:80' | grep 'TCP 10.77.0.100:80 10.77.0.12:80=2$' >/dev/null
check "  ...and left the table" [ $? = 0 ]

ng1=$(lab_nginx rs1 80 rs1) || exit 1
wait_more 'change .* 10.77.0.100:80 10.77.0.11:80 up' 0 4
check "nginx started on rs1 → up" [ $? = 0 ]
last_table 'TCP 10.77.0.100:80' | grep '10.77.0.11:80=3' >/dev/null
check "  ...and back in the table" [ $? = 0 ]

# inhibit_on_failure: weight 0 rather than removal.
lab_stop "$ng2"
wait_more 'change .* 10.77.0.100:80 10.77.0.12:80 down' 0 4
check "nginx stopped on rs2 → down" [ $? = 0 ]
last_table 'TCP 10.77.0.100:80' | grep '10.77.0.12:80=0' >/dev/null
check "  ...inhibit_on_failure keeps it at weight 0" [ $? = 0 ]

# SSL_GET: up with the right digest; all down → sorry_server.
check "SSL_GET server up" [ "$(count 'change .* 10.77.0.100:443 .* down')" = 0 ]
grep -q 'result .* 10.77.0.100:443 10.77.0.12:443 ok' "$log"
check "  ...its checks succeed" [ $? = 0 ]
lab_stop "$ngt"
wait_more 'change .* 10.77.0.100:443 10.77.0.12:443 down' 0 4
check "TLS nginx stopped → down" [ $? = 0 ]
wait_more 'quorum .* 10.77.0.100:443 down' 0 2
check "  ...quorum lost" [ $? = 0 ]
last_table 'TCP 10.77.0.100:443' | grep 'TCP 10.77.0.100:443 10.77.0.13:443=1$' >/dev/null
check "  ...sorry_server takes over" [ $? = 0 ]
ngt=$(tls_nginx rs2 443) || exit 1
wait_more 'change .* 10.77.0.100:443 10.77.0.12:443 up' 0 4
check "TLS nginx back → up" [ $? = 0 ]
last_table 'TCP 10.77.0.100:443' | grep 'TCP 10.77.0.100:443 10.77.0.12:443=1$' >/dev/null
check "  ...sorry_server leaves" [ $? = 0 ]

lab_stop "$runner"
lab_finish
