#!/usr/bin/env bash
# pkg.ansible: ansible/site.yml deploys the .debs over SSH to a four-host lab (two directors, two
# nginx real servers), a second run changes nothing, a client is served through the VIP by both
# real servers, a bad variable fails at validation and leaves the running director alone, and the
# VIP moves when the MASTER's director stops.
#
#   ansible_lab.sh BUILD_DIR
#
# Each host is its own Debian 12 root: an overlay (upper per host) on a base root made once from
# the cached minbase tarball (tests/pkg/debroot.sh) with python3, sshd, nginx-light, nftables and
# the .debs' Depends, cached as a second tarball keyed by that list (the hosts cannot reach the
# mirror). A host runs in its own network, mount and PID namespaces; its PID 1 is a small "init"
# (Ansible sees a SysV host) that starts sshd (and nginx on real servers) and reaps orphans. The
# controller runs ansible-playbook on this machine inside a namespace on the same bridge.
# Exit 77 (skip) when debootstrap is missing or the mirror cannot be reached (first run only).
# LVSD_PKG_KEEP=1 keeps the scratch dir.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)

say() { echo "pkg.ansible: $*"; }
fail() { echo "pkg.ansible: FAIL: $*" >&2; exit 1; }

# shellcheck source=tests/pkg/debroot.sh
source "$here/debroot.sh"

# --- one host: run as PID 1 of its PID namespace, in its network and mount namespaces ----------
#   ansible_lab.sh --host LOWER HOSTDIR ROLE
if [ "${1:-}" = --host ]; then
    lower=$2 hostdir=$3 role=$4
    r=$hostdir/root
    mount -t overlay overlay -o "lowerdir=$lower,upperdir=$hostdir/upper,workdir=$hostdir/work" "$r"
    mount -t proc proc "$r/proc"
    mount -t sysfs sysfs "$r/sys"
    debroot_dev "$r"
    mount -t tmpfs -o mode=0755,size=16m run "$r/run"
    exec chroot "$r" /usr/local/sbin/init "$role"
fi

build=$(realpath "${1:?usage: ansible_lab.sh BUILD_DIR}")
debroot_reexec "$0" "$@"
for tool in ansible-playbook ansible-lint ssh ssh-keygen; do
    command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/bootstrap.sh installs it)"
done
t_start=$(date +%s)

# --- ansible-lint first: cheap, and a lint failure needs no lab -------------------------------
say "ansible-lint (profile and settings: ansible/.ansible-lint)"
lint_home=$(mktemp -d)
if ! (cd "$src/ansible" && HOME=$lint_home timeout 300 ansible-lint --nocolor) >"$lint_home/out" 2>&1; then
    cat "$lint_home/out" >&2
    rm -rf "$lint_home"
    fail "ansible-lint"
fi
tail -n 1 "$lint_home/out"
rm -rf "$lint_home"

# --- scratch dir and the base root ----------------------------------------------------------------
debroot_scratch lvsd-ans
apt_log=$scratch/apt.log
debroot_cleanup_on_exit

[ -s "$tarball" ] || make_tarball
debroot_cpack "$build"

# What every host has before Ansible comes: what a fresh Debian server with SSH has, plus what the
# .debs and the roles need (python3-apt for the apt module), nginx-light for the real servers.
base_pkgs=(python3 python3-apt openssh-server nginx-light iproute2 procps nftables curl)
deps=$(debroot_deps)
base_key=$(printf '%s\n' "${base_pkgs[*]}" "$deps" | sha256sum | cut -c1-12)
base_tarball=$cache/$suite-ansible-lab-$arch-$base_key.tar.gz
if [ ! -s "$base_tarball" ]; then
    say "base root for the lab hosts (once per package list; cached in $base_tarball)"
    root=$scratch/prep
    mkdir "$root"
    tar -C "$root" --numeric-owner -xzf "$tarball"
    mount_root "$root"
    debroot_deny_starts
    apt_root install --no-install-recommends "${base_pkgs[@]}"
    apt_root satisfy --no-install-recommends "$deps"
    T=60 in_root apt-get clean
    umount_root
    rm -f "$root/usr/sbin/policy-rc.d" "$root/tmp/policy-rc.d.log"
    rm -f "$cache"/"$suite"-ansible-lab-"$arch"-*.tar.gz
    tar -C "$root" --numeric-owner -czf "$base_tarball.tmp" . && mv "$base_tarball.tmp" "$base_tarball"
    rm -rf --one-file-system "$root"
fi
lower=$scratch/base
mkdir "$lower"
tar -C "$lower" --numeric-owner -xzf "$base_tarball"
flock -u 9 # the cache is not used any more; other package tests may go on

# Lab settings in the shared lower root: root's SSH key, sshd without PAM (no loginuid in a
# namespace), and the host's "init".
ssh-keygen -q -t ed25519 -N "" -C pkg.ansible -f "$scratch/id_ed25519"
install -d -m 700 "$lower/root/.ssh"
install -m 600 "$scratch/id_ed25519.pub" "$lower/root/.ssh/authorized_keys"
printf 'UsePAM no\nPermitRootLogin prohibit-password\n' >"$lower/etc/ssh/sshd_config.d/lab.conf"
install -d "$lower/usr/local/sbin"
cat >"$lower/usr/local/sbin/init" <<'INIT'
#!/bin/bash
# PID 1 of a lab host: what boot would start, then reap orphans (daemons reparent here).
mkdir -p /run/sshd /run/lock
/usr/sbin/sshd -E /var/log/sshd.log
[ "$1" = realserver ] && /usr/sbin/nginx
while :; do sleep 3600 & wait $!; done
INIT
chmod 755 "$lower/usr/local/sbin/init"

# --- the network and the hosts ------------------------------------------------------------------
LAB_ID=ans$(printf '%05d' $$)
# shellcheck source=tests/lab/lab.sh
source "$src/tests/lab/lab.sh"
lab_init
# lab_init's EXIT trap (lab_teardown) replaces ours: stop the hosts first (their overlays go
# with their mount namespaces), then the scratch dir, then the namespaces.
stop_hosts() {
    local n pid i
    for n in "${LAB_NODES[@]}"; do
        for pid in $(ip netns pids "$(lab_ns "$n")" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    done
    for i in $(seq 1 50); do
        local left=0
        for n in "${LAB_NODES[@]}"; do [ -z "$(ip netns pids "$(lab_ns "$n")" 2>/dev/null)" ] || left=1; done
        [ $left = 0 ] && break
        sleep 0.1
    done
}
trap 'rc=$?; set +e; stop_hosts; debroot_umount_all; debroot_remove_scratch "${LVSD_PKG_KEEP:-}"; (exit $rc); lab_teardown' EXIT

vip=10.231.0.100
declare -A addr=([d1]=10.231.0.1 [d2]=10.231.0.2 [r1]=10.231.0.11 [r2]=10.231.0.12)
declare -A role=([d1]=director [d2]=director [r1]=realserver [r2]=realserver)
for h in d1 d2 r1 r2; do
    lab_node "$h" "${addr[$h]}/24"
    d=$scratch/hosts/$h
    mkdir -p "$d/upper" "$d/work" "$d/root"
    [ "${role[$h]}" = director ] || { mkdir -p "$d/upper/var/www/html" && echo "$h" >"$d/upper/var/www/html/index.html"; }
    lab_spawn "$h" "host-$h" unshare --mount --pid --fork --kill-child --propagation private \
        bash "$0" --host "$lower" "$d" "${role[$h]}" >/dev/null
done
lab_node client 10.231.0.50/24
lab_node ctl 10.231.0.200/24

ssh_opts=(-i "$scratch/id_ed25519" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
    -o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=5)
on() { # on HOST CMD...: a command on a lab host, over SSH from the controller namespace
    local h=$1; shift
    lab_exec ctl timeout 60 ssh "${ssh_opts[@]}" "root@${addr[$h]}" "$@"
}
for h in d1 d2 r1 r2; do
    lab_wait 20 on "$h" true || { cat "$LAB_DIR/host-$h.log" >&2; fail "no SSH to $h"; }
done
say "four hosts up, SSH answers ($(($(date +%s) - t_start)) s so far)"

# --- the lab inventory: the example's shape with the lab's addresses ----------------------------
inv=$scratch/inventory.yml
cat >"$inv" <<INV
---
all:
  vars:
    ansible_user: root
    ansible_ssh_private_key_file: $scratch/id_ed25519
    ansible_ssh_common_args: -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
    lvsd_agent_key_local: $scratch/credentials/lvsd_agent.key
    lvsd_vips:
      - $vip
    lvsd_vrid: 51
    lvsd_vrrp_auth_pass: "1111"
    lvsd_agent_report_port: 7707
    lvsd_virtual_servers:
      - address: $vip
        port: 80
        lb_algo: rr
        lb_kind: DR
        delay_loop: 1
        real_servers:
          - address: ${addr[r1]}
            check:
              type: TCP_CHECK
              connect_timeout: 1
          - address: ${addr[r2]}
            check:
              type: HTTP_GET
              path: /
              connect_timeout: 1
  children:
    lvsd_directors:
      vars:
        lvsd_director_deb: ${debs[0]}
        lvsd_director_dataplane: nftables
      hosts:
        d1:
          ansible_host: ${addr[d1]}
          lvsd_director_state: MASTER
          lvsd_director_priority: 100
        d2:
          ansible_host: ${addr[d2]}
          lvsd_director_state: BACKUP
          lvsd_director_priority: 50
    lvsd_realservers:
      vars:
        lvsd_realserver_deb: ${debs[1]}
        lvsd_realserver_report_to:
          - ${addr[d1]}
          - ${addr[d2]}
      hosts:
        r1:
          ansible_host: ${addr[r1]}
        r2:
          ansible_host: ${addr[r2]}
INV

mkdir -p "$scratch/ansible-tmp" "$scratch/cp"
playbook() { # playbook LOG [ansible-playbook args...]: site.yml against the lab from the controller ns
    local log=$1 rc=0 t0
    shift
    t0=$(date +%s)
    lab_exec ctl env HOME="$scratch" ANSIBLE_CONFIG="$src/ansible/ansible.cfg" \
        ANSIBLE_LOCAL_TEMP="$scratch/ansible-tmp" ANSIBLE_SSH_CONTROL_PATH_DIR="$scratch/cp" \
        ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_RETRY_FILES_ENABLED=0 \
        timeout 600 ansible-playbook -i "$inv" "$src/ansible/site.yml" "$@" >"$scratch/$log" 2>&1 || rc=$?
    say "ansible-playbook $* -> exit $rc ($(($(date +%s) - t0)) s, log $log)"
    return $rc
}
recap() { sed -n '/^PLAY RECAP/,$p' "$scratch/$1"; }

# --- 1. deploy ----------------------------------------------------------------------------------------
if ! playbook run1.log; then cat "$scratch/run1.log" >&2; fail "the first run failed"; fi
recap run1.log
for h in d1 d2 r1 r2; do
    grep -Eq "^$h +: ok=[0-9]+ +changed=[1-9]" "$scratch/run1.log" || fail "$h: nothing changed in the first run"
done

# --- 2. idempotent --------------------------------------------------------------------------------------
if ! playbook run2.log; then cat "$scratch/run2.log" >&2; fail "the second run failed"; fi
recap run2.log
for h in d1 d2 r1 r2; do
    grep -Eq "^$h +: ok=[0-9]+ +changed=0 +unreachable=0 +failed=0" "$scratch/run2.log" ||
        { recap run2.log >&2; grep -B2 -A6 '^changed:' "$scratch/run2.log" >&2 || true; fail "$h: the second run changed something"; }
done
say "ok: the second run changed nothing"
# One agent key, made on the controller (the lookup's file ends in a newline, the copies do not),
# the same on both sides, private, at least 16 bytes.
key=$(cat "$scratch/credentials/lvsd_agent.key")
[ "${#key}" -ge 16 ] || fail "the agent key is shorter than 16 bytes"
for h in d1 d2 r1 r2; do
    [ "$(on "$h" 'stat -c %a /etc/lvsd/agent.key; cat /etc/lvsd/agent.key')" = "600
$key" ] || fail "$h: /etc/lvsd/agent.key is not the controller's key with mode 600"
done

# --- 3. served through the VIP -------------------------------------------------------------------------
holders() { local h; for h in d1 d2; do ip -n "$(lab_ns "$h")" -br addr show dev eth0 | grep -q " $vip/" && echo "$h"; done; true; }
wait_holder() { # wait_holder SECS HOST
    local i
    for ((i = 0; i < $1 * 10; i++)); do [ "$(holders | paste -sd' ')" = "$2" ] && return 0; sleep 0.1; done
    say "VIP holders: '$(holders | paste -sd' ')', wanted '$2'"
    return 1
}
wait_holder 15 d1 || fail "the VIP is not on d1 (MASTER) alone"
for h in r1 r2; do
    ip -n "$(lab_ns "$h")" -br addr show dev lo | grep -q " $vip/32" || fail "$h: no VIP on lo"
done
served() { # served N: N requests from the client through the VIP, one answer per line
    local i
    for ((i = 0; i < $1; i++)); do lab_exec client curl -s -m 2 "http://$vip/" || echo FAIL; done
}
lab_wait 15 lab_exec client curl -fs -m 1 "http://$vip/" || fail "the VIP does not answer HTTP"
out=$(served 30)
for h in r1 r2; do grep -qx "$h" <<<"$out" || { echo "$out" >&2; fail "$h does not serve through the VIP"; }; done
[ "$(grep -c FAIL <<<"$out")" = 0 ] || fail "requests through the VIP failed: $out"
say "ok: served through the VIP by r1 ($(grep -cx r1 <<<"$out")) and r2 ($(grep -cx r2 <<<"$out"))"

# --- 4. a changed variable reloads, never restarts ---------------------------------------------------------
pid_before=$(on d1 cat /run/lvs-director.pid)
if ! playbook edit.log -e '{"lvsd_director_extra_config": "! edited", "lvsd_realserver_check_interval": 2}'; then
    cat "$scratch/edit.log" >&2
    fail "the run with edited variables failed"
fi
for h in d1 d2 r1 r2; do
    grep -Eq "^$h +: ok=[0-9]+ +changed=[1-9]" "$scratch/edit.log" || fail "$h: the edit changed nothing"
done
grep -q 'RUNNING HANDLER \[lvsd_director : Reload lvs-director\]' "$scratch/edit.log" || fail "no director reload"
grep -q 'RUNNING HANDLER \[lvsd_realserver : Reload realserver\]' "$scratch/edit.log" || fail "no realserver reload"
on d1 "grep -qx '! edited' /etc/lvsd/lvsd.conf" || fail "d1's file was not edited"
on r1 "grep -qx 'check_interval 2' /etc/lvsd/realserver.conf" || fail "r1's file was not edited"
[ "$(on d1 cat /run/lvs-director.pid)" = "$pid_before" ] || fail "lvs-director was restarted, not reloaded"
wait_holder 1 d1 || fail "the VIP left d1 on reload"
say "ok: edited variables reload lvs-director (same pid) and realserver"

# --- 5. bad input: fails at validation, the running director keeps its config ---------------------------
sum_before=$(on d1 sha256sum /etc/lvsd/lvsd.conf)
if playbook bad.log -e lvsd_director_priority=300; then fail "a run with priority 300 succeeded"; fi
grep -Eq 'failed to validate' "$scratch/bad.log" || { cat "$scratch/bad.log" >&2; fail "the bad run did not fail at validation"; }
# lvs-director's own message names the rendered file's line and column: the priority's line.
msg=$(grep -Eo "[^\" ]*/source:[0-9]+:[0-9]+: error: '300'[^\"\\]*" "$scratch/bad.log" | head -n 1)
[ -n "$msg" ] || { cat "$scratch/bad.log" >&2; fail "no file:line:col error from lvs-director about 300"; }
say "director's message: $msg"
line=$(sed -E 's/.*source:([0-9]+):.*/\1/' <<<"$msg")
on d1 sed -n "${line}p" /etc/lvsd/lvsd.conf | grep -Eq '^ *priority 100$' ||
    fail "line $line of the director's file is not its priority"
[ "$(on d1 sha256sum /etc/lvsd/lvsd.conf)" = "$sum_before" ] || fail "the bad run changed /etc/lvsd/lvsd.conf"
[ "$(on d1 cat /run/lvs-director.pid)" = "$pid_before" ] || fail "lvs-director was restarted"
on d1 service lvs-director status >/dev/null || fail "lvs-director does not run after the bad run"
wait_holder 1 d1 || fail "the VIP left d1 after the bad run"
lab_exec client curl -fs -m 2 "http://$vip/" >/dev/null || fail "the VIP does not answer after the bad run"
say "ok: priority 300 fails at validation with the director's message; d1 runs its old config"

# The real server side too: lvs-realserver's check stops a bad file, the VIP stays.
sum_before=$(on r1 sha256sum /etc/lvsd/realserver.conf)
if playbook bad-rs.log -e lvsd_realserver_agent_port=70000; then fail "a run with agent_port 70000 succeeded"; fi
grep -Eq "failed to validate.*source:[0-9]+:[0-9]+: error: [^\"]*70000" "$scratch/bad-rs.log" ||
    { cat "$scratch/bad-rs.log" >&2; fail "no file:line:col error from lvs-realserver about 70000"; }
[ "$(on r1 sha256sum /etc/lvsd/realserver.conf)" = "$sum_before" ] || fail "the bad run changed r1's realserver.conf"
ip -n "$(lab_ns r1)" -br addr show dev lo | grep -q " $vip/32" || fail "r1 lost the VIP after the bad run"
say "ok: agent_port 70000 fails at lvs-realserver's check; r1 keeps its file and VIP"

# --- 6. failover: the MASTER's director stops, the VIP moves to d2 ---------------------------------------
on d1 service lvs-director stop || fail "service lvs-director stop on d1"
wait_holder 10 d2 || fail "the VIP did not move to d2"
lab_wait 10 lab_exec client curl -fs -m 1 "http://$vip/" || fail "the VIP does not answer through d2"
out=$(served 20)
[ "$(grep -c FAIL <<<"$out")" = 0 ] || fail "requests through d2 failed: $out"
say "ok: d1's director stopped, the VIP moved to d2 and serves ($(grep -cx r1 <<<"$out") r1, $(grep -cx r2 <<<"$out") r2)"

say "PASS ($(($(date +%s) - t_start)) s)"
