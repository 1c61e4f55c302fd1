#!/usr/bin/env bash
# smtp_alert end to end: a real SMTP server (Debian's python3-aiosmtpd, writing a maildir) in one
# namespace, our Notifier (via tests/tools/notify_send) in another. The state-change mail arrives
# with keepalived's subject, every notification_email as a recipient, and the notify script runs
# with its four arguments. Against an address whose SYNs are dropped (nft), the attempt ends
# within smtp_connect_timeout and is reported as a failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lab/lab.sh"
RS=${LVS_REALSERVER:?path to lvs-realserver, whose build tree holds tests/tools/notify_send}
SEND=${NOTIFY_SEND:-$(cd "$(dirname "$RS")/.." && pwd)/tests/tools/notify_send}
PY=/usr/bin/python3 # Debian's, where python3-aiosmtpd is installed
[ -x "$SEND" ] || { echo "notify_send not built at $SEND"; exit 1; }
$PY -c 'import aiosmtpd' || { echo "python3-aiosmtpd missing: run scripts/bootstrap.sh"; exit 1; }

contains() { [[ $1 == *"$2"* ]]; }
mails() { ls "$maildir/new" 2>/dev/null | wc -l; }
in_range() { [ "$1" -ge "$2" ] && [ "$1" -lt "$3" ]; }

lab_init
lab_node mx 10.77.0.25/24 10.77.0.26/24
lab_node lb 10.77.0.10/24
# SYNs to 10.77.0.26:25 vanish: a connect there can only time out.
lab_exec mx nft -f - <<'NFT'
table inet notify_test {
    chain input {
        type filter hook input priority 0;
        ip daddr 10.77.0.26 tcp dport 25 drop
    }
}
NFT

maildir="$LAB_DIR/maildir" # aiosmtpd creates it
PYTHONUNBUFFERED=1 lab_spawn mx smtpd $PY -m aiosmtpd -n -l 10.77.0.25:25 \
    -c aiosmtpd.handlers.Mailbox "$maildir" >/dev/null
if ! lab_wait 15 lab_exec lb bash -c 'exec 3<>/dev/tcp/10.77.0.25/25'; then
    lab_log "aiosmtpd did not start:"; cat "$LAB_DIR/smtpd.log" >&2; exit 1
fi

cat >"$LAB_DIR/notify.sh" <<SH
#!/bin/sh
echo "\$@" >>"$LAB_DIR/notify.out"
SH
chmod 755 "$LAB_DIR/notify.sh"

write_conf() { # FILE SERVER TIMEOUT
    cat >"$1" <<CONF
global_defs {
    router_id lb-test
    notification_email {
        ops@example.test
        oncall@example.test
    }
    notification_email_from director@example.test
    smtp_server $2 25
    smtp_helo_name lb.example.test
    smtp_connect_timeout $3
    smtp_alert
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 150
    advert_int 1
    virtual_ipaddress {
        10.77.0.100/24
    }
    notify $LAB_DIR/notify.sh
}
vrrp_instance VI_QUIET {
    state BACKUP
    interface eth0
    virtual_router_id 52
    priority 100
    virtual_ipaddress {
        10.77.0.101/24
    }
    smtp_alert false
}
CONF
}

# --- a mail that arrives ---
write_conf "$LAB_DIR/ok.conf" 10.77.0.25 5
out=$(lab_exec lb timeout 20 "$SEND" "$LAB_DIR/ok.conf" VI_1 MASTER 150 2>&1); rc=$?
echo "$out"
check "notify_send reports the mail sent" [ $rc = 0 ]
check "one mail in the maildir" lab_wait 5 bash -c "[ \$(ls '$maildir/new' | wc -l) = 1 ]"
mail_count=$(mails)
mail=$(cat "$maildir"/new/* 2>/dev/null)
echo "$mail" | sed 's/^/    | /'
check "subject as keepalived writes it" \
    grep -qx 'Subject: \[lb-test\] VRRP Instance VI_1 - Entering MASTER state' <<<"${mail//$'\r'/}"
check "envelope sender is notification_email_from" \
    grep -qx 'X-MailFrom: director@example.test' <<<"${mail//$'\r'/}"
check "both notification_email addresses are recipients" \
    grep -qx 'X-RcptTo: ops@example.test, oncall@example.test' <<<"${mail//$'\r'/}"
check "To header lists them" grep -qx 'To: ops@example.test, oncall@example.test' <<<"${mail//$'\r'/}"
check "From header" grep -qx 'From: director@example.test' <<<"${mail//$'\r'/}"
check "Date header is RFC 5322" \
    grep -Eqx 'Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} \+0000' \
    <<<"${mail//$'\r'/}"
check "the notify script ran with INSTANCE name state priority" \
    grep -qx 'INSTANCE VI_1 MASTER 150' "$LAB_DIR/notify.out"

# An instance with smtp_alert false overrides the global smtp_alert: no mail.
out=$(lab_exec lb timeout 20 "$SEND" "$LAB_DIR/ok.conf" VI_QUIET MASTER 100 2>&1); rc=$?
echo "$out"
check "instance smtp_alert false: exit 0" [ $rc = 0 ]
check "instance smtp_alert false: no mail attempted" contains "$out" "0 sent, 0 failed"
check "instance smtp_alert false: no mail arrived" [ "$(mails)" = "$mail_count" ]

# --- a server that drops SYNs ---
write_conf "$LAB_DIR/drop.conf" 10.77.0.26 2
start=$(date +%s%N)
out=$(lab_exec lb timeout 20 "$SEND" "$LAB_DIR/drop.conf" VI_1 BACKUP 150 2>&1); rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
echo "$out"
check "the dropped connect fails (exit 1)" [ $rc = 1 ]
check "it ends within smtp_connect_timeout (2 s): ${ms} ms" in_range "$ms" 1900 4000
check "the failure is logged, with the stage" \
    contains "$out" "not sent: connecting: timed out after 2000 ms"
check "the notify script still ran" grep -qx 'INSTANCE VI_1 BACKUP 150' "$LAB_DIR/notify.out"

lab_finish
