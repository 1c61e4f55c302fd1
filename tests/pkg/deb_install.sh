#!/usr/bin/env bash
# pkg.deb: the .debs installed into a fresh Debian 12 root, run, removed and purged.
#
#   deb_install.sh BUILD_DIR
#
# A debootstrap --variant=minbase bookworm root is made once from the Debian mirror this host's
# apt uses and kept as a tarball in $LVSD_DEBOOTSTRAP_CACHE (/var/cache/lvsd-debootstrap), with
# the packages apt fetched later (archives/). Each run: cpack into a scratch dir, unpack the root
# there, and with chroot inside a private mount namespace: install the dependencies, snapshot the
# file tree, `apt-get install ./lvsd-*.deb` (a policy-rc.d logs and denies every start), check the
# binaries, the shipped configs, man pages, enabled-not-started services, then remove (conffiles
# stay) and purge (the tree is exactly the snapshot again).
# Exit 77 (skip) when debootstrap is missing or the mirror cannot be reached.
# LVSD_PKG_KEEP=1 keeps the scratch dir (logs, the root) for a look afterwards.
set -euo pipefail

build=$(realpath "${1:?usage: deb_install.sh BUILD_DIR}")

say() { echo "pkg.deb: $*"; }
fail() { echo "pkg.deb: FAIL: $*" >&2; exit 1; }

# shellcheck source=tests/pkg/debroot.sh
source "$(dirname "$0")/debroot.sh"
debroot_reexec "$0" "$@"

# --- scratch dir, mounts, cleanup on every exit path ------------------------------------------
# Holds the cache lock until exit (a cached run takes about 20 s); the first run makes the
# tarball under it.
debroot_scratch lvsd-pkg
root=$scratch/root
debroot_cleanup_on_exit

[ -s "$tarball" ] || make_tarball

# --- the packages ---------------------------------------------------------------------------------
debroot_cpack "$build"

if command -v lintian >/dev/null; then
    say "lintian"
    # Errors fail the test; warnings are printed and allowed.
    timeout 300 lintian "${debs[@]}" 2>&1 |
        grep -v 'running with root privileges' | tee "$scratch/lintian.log" || true
    ! grep -q '^E: ' "$scratch/lintian.log" || fail "lintian reports errors"
fi

# --- a fresh root ---------------------------------------------------------------------------------
say "unpacking the cached root"
mkdir "$root"
tar -C "$root" --numeric-owner -xzf "$tarball"
mount_root "$root"
mkdir -p "$root/tmp/debs"
cp "${debs[@]}" "$root/tmp/debs/"
debroot_deny_starts
policy_log() { cat "$root/tmp/policy-rc.d.log"; }

apt_log=$scratch/apt.log
# The tree as names and types, without what apt/dpkg keep for themselves and the mounts.
snapshot() {
    (cd "$root" && find . -xdev \( -path ./proc -o -path ./dev -o -path ./tmp \
        -o -path ./var/cache/apt -o -path ./var/cache/debconf -o -path ./var/lib/apt \
        -o -path ./var/lib/dpkg -o -path ./var/log \) -prune -o -printf '%y %p\n') | LC_ALL=C sort
}
# shellcheck disable=SC2016 # ${Status} is dpkg-query's
status_of() { in_root dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true; }
# Runs in the root in a network namespace of its own: what the binaries see of the host's
# network cannot change their answers, and they cannot change it.
run_isolated() {
    timeout 60 unshare --net chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        LC_ALL=C.UTF-8 "$@"
}
expect_rc() { # expected-rc description command...
    local want=$1 what=$2 rc=0
    shift 2
    "$@" >"$scratch/out" 2>&1 || rc=$?
    if [ "$rc" != "$want" ]; then
        cat "$scratch/out" >&2
        fail "$what: exit $rc, expected $want"
    fi
    say "ok: $what (exit $rc)"
}

t0=$(date +%s)
say "dependencies of the packages"
deps=$(debroot_deps)
apt_root satisfy "$deps"
before=$(snapshot)
# Which of the packages' paths the root already has (/, /etc, /usr/share/man/man8, ...).
for d in "${debs[@]}"; do dpkg-deb --fsys-tarfile "$d" | tar -t; done | sed 's|^\./|/|; s|/$||' |
    LC_ALL=C sort -u | while read -r path; do
        if [ -e "$root$path" ] || [ -L "$root$path" ]; then echo "$path"; fi
    done >"$scratch/preexisting"

say "apt-get install ./lvsd-director_*.deb ./lvsd-realserver_*.deb"
apt_root install "/tmp/debs/$(basename "${debs[0]}")" "/tmp/debs/$(basename "${debs[1]}")"
for p in lvsd-director lvsd-realserver; do
    [ "$(status_of $p)" = "install ok installed" ] || fail "$p: status '$(status_of $p)'"
done
say "ok: installed ($(($(date +%s) - t0)) s)"
grep -q 'lvs-director is enabled but not started' "$apt_log" || fail "no 'not started' note from lvsd-director"
grep -q 'realserver is enabled but not started' "$apt_log" || fail "no 'not started' note from lvsd-realserver"

# Every program of the packages (lvsctl and lvs-genhash too, once they are built) finds its
# libraries: the Depends are complete.
progs=$(in_root dpkg -L lvsd-director lvsd-realserver | grep -E '^/usr/s?bin/.' || true)
[ -n "$progs" ] || fail "no programs in the packages"
for prog in $progs; do
    out=$(in_root ldd "$prog" 2>&1) || fail "ldd $prog: $out"
    ! grep -q 'not found' <<<"$out" || fail "$prog: a library is missing: $out"
done
say "ok: every library found for $(tr "\n" " " <<<"$progs")"

# The binaries run with the Depends the package declares, on the shipped configs.
expect_rc 0 "lvs-director --version" run_isolated lvs-director --version
expect_rc 0 "lvs-director -t on the shipped /etc/lvsd/lvsd.conf" run_isolated lvs-director -t
sed -n '/^! global_defs/,$ s/^! \{0,1\}//p' "$root/usr/share/lvsd/lvsd.conf" >"$root/tmp/example.conf"
grep -q vrrp_instance "$root/tmp/example.conf" || fail "no vrrp_instance in the uncommented example"
expect_rc 0 "lvs-director -t on the example, uncommented" run_isolated lvs-director -t -f /tmp/example.conf
expect_rc 3 "lvs-realserver status (stopped) on the shipped /etc/lvsd/realserver.conf" \
    run_isolated lvs-realserver status
if [ -x "$root/usr/sbin/lvsctl" ]; then
    expect_rc 0 "lvsctl --help" run_isolated lvsctl --help
    expect_rc 3 "lvsctl list, no lvs-director running" run_isolated lvsctl list
fi
for f in /etc/lvsd/lvsd.conf /etc/lvsd/realserver.conf /etc/init.d/lvs-director /etc/init.d/realserver; do
    grep -qx "$f" "$root/var/lib/dpkg/info/lvsd-director.conffiles" \
        "$root/var/lib/dpkg/info/lvsd-realserver.conffiles" || fail "$f is not a conffile"
done
cmp -s "$root/etc/lvsd/lvsd.conf" "$root/usr/share/lvsd/lvsd.conf" || fail "lvsd.conf differs from its shipped copy"

pages=$(in_root dpkg -L lvsd-director lvsd-realserver | grep -E '^/usr/share/man/man[1-8]/.+\.gz$' || true)
for page in lvs-director lvs-realserver; do
    grep -qx "/usr/share/man/man8/$page.8.gz" <<<"$pages" || fail "no man page $page.8"
    if [ -x "$root/usr/bin/man" ]; then in_root man -w "$page" >/dev/null || fail "man -w $page"; fi
done
for gz in $pages; do
    gzip -t "$root$gz" || fail "$gz"
    if command -v man >/dev/null; then
        warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$root$gz" 2>&1 >/dev/null)
        [ -z "$warn" ] || fail "$gz: $warn"
    fi
done
say "ok: man pages: $(tr "\n" " " <<<"$pages")"

# Enabled for both init systems, started by neither.
for s in lvs-director realserver; do
    ls "$root"/etc/rc2.d/S??"$s" >/dev/null 2>&1 || fail "no /etc/rc2.d/S??$s"
    ls "$root"/etc/rc0.d/K??"$s" >/dev/null 2>&1 || fail "no /etc/rc0.d/K??$s"
done
for u in lvs-director.service lvs-realserver.service; do
    [ -L "$root/etc/systemd/system/multi-user.target.wants/$u" ] || fail "$u not enabled for systemd"
done
[ "$(readlink "$root/lib/systemd/system/realserver.service")" = lvs-realserver.service ] ||
    fail "realserver.service is not an alias of lvs-realserver.service"
if policy_log | grep -Eq '^(lvs-director|realserver|lvs-director\.service|lvs-realserver\.service) .*start'; then
    policy_log >&2
    fail "a service was asked to start while its config is the shipped example"
fi
if [ -e "$root/run/lvs-director.pid" ] || [ -e "$root/run/lvsd/realserver.state" ]; then fail "something started"; fi
say "ok: enabled (rc2.d, multi-user.target.wants), not started"

# Once the admin has written a config, postinst starts the service (restarts it on upgrades).
for p in lvsd-director:lvsd.conf:lvs-director lvsd-realserver:realserver.conf:realserver; do
    IFS=: read -r pkg conf initd <<<"$p"
    postinst() {
        : >"$root/tmp/policy-rc.d.log"
        T=60 in_root env DPKG_MAINTSCRIPT_PACKAGE="$pkg" "/var/lib/dpkg/info/$pkg.postinst" configure "$@" \
            >>"$apt_log" 2>&1 || fail "$pkg.postinst configure $*"
    }
    echo "# edited" >>"$root/etc/lvsd/$conf"
    postinst
    policy_log | grep -Eq "^$initd .*\<start\>" || { policy_log >&2; fail "$pkg.postinst did not start $initd"; }
    postinst 0.0.9
    policy_log | grep -Eq "^$initd .*\<restart\>" || { policy_log >&2; fail "$pkg.postinst (upgrade) did not restart $initd"; }
    cp "$root/usr/share/lvsd/$conf" "$root/etc/lvsd/$conf"
    postinst 0.0.9
    if policy_log | grep -q .; then policy_log >&2; fail "$pkg.postinst (upgrade, example config) acted on $initd"; fi
done
say "ok: postinst starts (upgrade: restarts) a service whose config was edited, only then"

# --- remove: conffiles stay --------------------------------------------------------------------------
in_root dpkg -L lvsd-director lvsd-realserver | LC_ALL=C sort -u >"$scratch/owned"
# State a run would leave if its stop never ran (prerm's stop is denied here): purge must remove it.
mkdir -p "$root/run/lvsd"
echo '{}' >"$root/run/lvsd/realserver.state"
echo 1 >"$root/run/lvsd/realserver.state.pid"
echo '{}' >"$root/run/lvsd/director.stats.json"
: >"$root/run/lvsd/director.sock"
say "apt-get remove"
apt_root remove lvsd-director lvsd-realserver
for p in lvsd-director lvsd-realserver; do
    [ "$(status_of $p)" = "deinstall ok config-files" ] || fail "$p after remove: '$(status_of $p)'"
done
for f in /etc/lvsd/lvsd.conf /etc/lvsd/realserver.conf /etc/init.d/lvs-director /etc/init.d/realserver; do
    [ -e "$root$f" ] || fail "remove took the conffile $f"
done
for f in /usr/sbin/lvs-director /usr/sbin/lvs-realserver /lib/systemd/system/lvs-director.service; do
    [ ! -e "$root$f" ] || fail "remove left $f"
done
policy_log | grep -Eq '^lvs-director .*\<stop\>' || fail "prerm did not stop lvs-director"
policy_log | grep -Eq '^realserver .*\<stop\>' || fail "prerm did not stop realserver"
say "ok: removed, conffiles kept, stops requested"

# --- purge: nothing of ours is left ------------------------------------------------------------------
say "apt-get purge"
apt_root purge lvsd-director lvsd-realserver
for p in lvsd-director lvsd-realserver; do
    case "$(status_of $p)" in "" | "unknown ok not-installed") ;; *) fail "$p after purge: '$(status_of $p)'" ;; esac
done
[ ! -e "$root/etc/lvsd" ] || fail "/etc/lvsd is left: $(ls -A "$root/etc/lvsd")"
[ ! -e "$root/run/lvsd" ] || fail "/run/lvsd is left: $(ls -A "$root/run/lvsd")"
# Every path dpkg listed that the root did not have before.
while read -r path; do
    [ "$path" = /. ] || [ -z "$path" ] || grep -qxF "$path" "$scratch/preexisting" && continue
    if [ -e "$root$path" ] || [ -L "$root$path" ]; then fail "purge left $path"; fi
done <"$scratch/owned"
after=$(snapshot)
if [ "$before" != "$after" ]; then
    diff <(echo "$before") <(echo "$after") >&2 || true
    fail "the tree after purge differs from the tree before install"
fi
say "ok: purged; the tree is as before install ($(($(date +%s) - t0)) s in the root)"
say "PASS"
