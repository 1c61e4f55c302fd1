# shellcheck shell=bash
# Debian 12 roots for the package tests (pkg.deb, pkg.ansible): sourced, not run.
#
# A debootstrap --variant=minbase bookworm root is made once from the Debian mirror this host's
# apt uses and kept as a tarball in $LVSD_DEBOOTSTRAP_CACHE (/var/cache/lvsd-debootstrap), with
# the packages apt fetched later (archives/, bind-mounted as the root's apt cache).
#
# The caller defines say() and fail(), runs in a private mount namespace (debroot_reexec) and
# sets: root (the root dir in use). This file sets cache, suite, arch, tarball, skip, mirror,
# security, scratch, mounted (mount points, unmounted in reverse by debroot_umount_all).

cache=${LVSD_DEBOOTSTRAP_CACHE:-/var/cache/lvsd-debootstrap}
suite=bookworm
arch=$(dpkg --print-architecture)
tarball=$cache/$suite-minbase-$arch.tar.gz
skip=77
mounted=()

# Re-runs the calling script in a private mount namespace: the mounts made for the roots are
# never seen by the host and vanish with the namespace even if the script is killed.
#   debroot_reexec SCRIPT ARGS...
debroot_reexec() {
    [ "$(id -u)" = 0 ] || { say "needs root (debootstrap, chroot, mounts); skipped"; exit $skip; }
    if [ -z "${LVSD_DEBROOT_IN_NS:-}" ]; then
        LVSD_DEBROOT_IN_NS=1 exec unshare --mount --propagation private -- bash "$@"
    fi
}

# --- the mirror apt uses here: first Debian "deb" source for $suite (one-line or deb822) -------
apt_uri() { # $1: suite to find; prints the first URI serving it
    local want=$1 f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -r "$f" ] || continue
        awk -v s="$want" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                                        if ($(i + 1) == s) { print $i; exit } }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        awk -v s="$want" 'BEGIN { RS = ""; FS = "\n" }
            { types = uris = suites = ""
              for (i = 1; i <= NF; i++) {
                  if ($i ~ /^Types:/) types = " " substr($i, 7) " "
                  if ($i ~ /^URIs:/) uris = substr($i, 6)
                  if ($i ~ /^Suites:/) suites = " " substr($i, 8) " " }
              gsub(/[ \t]+/, " ", types); gsub(/[ \t]+/, " ", suites)
              if (types ~ / deb / && suites ~ (" " s " ")) {
                  n = split(uris, u, " "); for (k = 1; k <= n; k++) if (u[k] != "") { print u[k]; exit } } }' "$f"
    done | sed -n 1p # reads all its input: no SIGPIPE for the loops under pipefail
}
mirror=${LVSD_DEBIAN_MIRROR:-$(apt_uri "$suite")}
security=$(apt_uri "$suite-security")
mirror_up() { curl -fsS --max-time 20 -o /dev/null "$mirror/dists/$suite/Release"; }

# Takes the cache lock (fd 9: one user of the tarballs, archives/ and apt's lock at a time),
# removes scratch dirs of killed earlier runs, makes $scratch.
#   debroot_scratch PREFIX     (scratch dirs are /var/tmp/PREFIX.XXXXXX)
debroot_scratch() {
    local prefix=$1 d p
    [ -n "$mirror" ] || { say "no Debian $suite mirror in /etc/apt/sources.list*; skipped"; exit $skip; }
    mkdir -p "$cache/archives/partial"
    exec 9>"$cache/lock"
    flock -w 900 9 || fail "timed out waiting for $cache/lock"
    # Nothing is mounted in them (the mounts died with their namespace), so they can go, unless
    # kept on purpose (the file "kept").
    for d in /var/tmp/"$prefix".*; do
        if [ ! -d "$d" ] || [ -e "$d/kept" ]; then continue; fi
        p=$(cat "$d/pid" 2>/dev/null || echo 0)
        if [ "$p" = 0 ] || ! kill -0 "$p" 2>/dev/null; then
            grep -q " $d/" /proc/self/mounts || rm -rf --one-file-system "$d"
        fi
    done
    scratch=$(mktemp -d "/var/tmp/$prefix.XXXXXX")
    echo $$ >"$scratch/pid"
}

debroot_umount_all() {
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || true
    done
    mounted=()
}

# Removes $scratch (or keeps it, KEEP non-empty) once nothing is mounted under it.
debroot_remove_scratch() { # $1: keep (non-empty: keep)
    if [ -n "${1:-}" ]; then
        touch "$scratch/kept"
        say "scratch dir $scratch kept (unmounted)"
    elif grep -q " $scratch/" /proc/self/mounts; then
        say "still mounted under $scratch, left in place"
    else
        rm -rf --one-file-system "$scratch"
    fi
}

# debroot_cleanup_on_exit: on every exit path, unmount what was mounted and remove the scratch
# dir (kept with LVSD_PKG_KEEP), keeping the exit status; INT and TERM exit as signals do.
debroot_cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    debroot_umount_all
    debroot_remove_scratch "${LVSD_PKG_KEEP:-}"
    exit "$rc"
}
debroot_cleanup_on_exit() {
    trap debroot_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# A minimal /dev in $1/dev (tmpfs): null, zero, full, random, urandom, fd, pts, ptmx.
debroot_dev() {
    local r=$1
    mount -t tmpfs -o mode=0755,size=1m,nosuid devtmp "$r/dev"
    mknod -m 666 "$r/dev/null" c 1 3
    mknod -m 666 "$r/dev/zero" c 1 5
    mknod -m 666 "$r/dev/full" c 1 7
    mknod -m 666 "$r/dev/random" c 1 8
    mknod -m 666 "$r/dev/urandom" c 1 9
    ln -s /proc/self/fd "$r/dev/fd"
    mkdir "$r/dev/pts"
    mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$r/dev/pts"
    ln -s pts/ptmx "$r/dev/ptmx"
}

mount_root() { # $1: root dir. proc, a minimal /dev, the shared apt archive cache.
    local r=$1
    mount -t proc proc "$r/proc" && mounted+=("$r/proc")
    debroot_dev "$r" && mounted+=("$r/dev" "$r/dev/pts")
    mkdir -p "$r/var/cache/apt/archives"
    mount --bind "$cache/archives" "$r/var/cache/apt/archives" && mounted+=("$r/var/cache/apt/archives")
}
umount_root() {
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[i]}"; done
    mounted=()
}
# Runs a command in $root with a clean environment and a time bound ($T seconds, default 120).
in_root() {
    timeout "${T:-120}" chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# --- the cached root: debootstrap once ----------------------------------------------------------
make_tarball() {
    command -v debootstrap >/dev/null || { say "debootstrap is not installed; skipped"; exit $skip; }
    mirror_up || { say "mirror $mirror unreachable; skipped"; exit $skip; }
    say "debootstrap --variant=minbase $suite from $mirror (once; cached in $tarball)"
    local r=$scratch/bootstrap
    # Bounded: a first run downloads about 40 MB (a minute here).
    if ! timeout 900 debootstrap --variant=minbase --arch="$arch" "$suite" "$r" "$mirror" \
            >"$scratch/debootstrap.log" 2>&1; then
        tail -n 30 "$scratch/debootstrap.log" >&2
        mirror_up || { say "mirror went away during debootstrap; skipped"; exit $skip; }
        fail "debootstrap failed"
    fi
    {
        echo "deb $mirror $suite main"
        echo "deb $mirror $suite-updates main"
        [ -z "$security" ] || echo "deb $security $suite-security main"
    } >"$r/etc/apt/sources.list"
    local saved_root=$root
    root=$r
    mount_root "$r"
    T=300 in_root apt-get update -qq || fail "apt-get update in the new root"
    T=60 in_root apt-get clean
    umount_root
    root=$saved_root
    tar -C "$r" --numeric-owner -czf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf --one-file-system "$r"
}

# Nothing starts in $root; every request is logged to $root/tmp/policy-rc.d.log.
debroot_deny_starts() {
    cat >"$root/usr/sbin/policy-rc.d" <<'POLICY'
#!/bin/sh
echo "$*" >>/tmp/policy-rc.d.log
exit 101
POLICY
    chmod 755 "$root/usr/sbin/policy-rc.d"
    : >"$root/tmp/policy-rc.d.log"
}

# apt-get in $root, output to $apt_log; when it fails (stale lists from the tarball: a package
# left the mirror), once more after apt-get update. Skips when the mirror is gone.
apt_root() {
    if T=600 in_root apt-get -y -q -o APT::Sandbox::User=root "$@" >>"${apt_log:?}" 2>&1; then
        return 0
    fi
    mirror_up || { tail -n 20 "$apt_log"; say "apt-get failed and $mirror is unreachable; skipped"; exit $skip; }
    say "apt-get $1 failed; apt-get update and once more"
    T=300 in_root apt-get -q -o APT::Sandbox::User=root update >>"$apt_log" 2>&1 || true
    T=600 in_root apt-get -y -q -o APT::Sandbox::User=root "$@" >>"$apt_log" 2>&1 ||
        { tail -n 40 "$apt_log" >&2; fail "apt-get $*"; }
}

# cpack -G DEB from BUILD into $scratch/cpack; sets debs=(director realserver).
debroot_cpack() { # $1: build dir
    local build=$1 t0
    [ -f "$build/CPackConfig.cmake" ] || fail "$build/CPackConfig.cmake missing: configure the build first"
    say "cpack -G DEB (into the scratch dir)"
    t0=$(date +%s)
    timeout 600 cpack -G DEB --config "$build/CPackConfig.cmake" -B "$scratch/cpack" >"$scratch/cpack.log" 2>&1 ||
        { cat "$scratch/cpack.log" >&2; fail "cpack"; }
    say "cpack took $(($(date +%s) - t0)) s"
    local director_deb realserver_deb
    shopt -s nullglob
    director_deb=("$scratch"/cpack/lvsd-director_*.deb)
    realserver_deb=("$scratch"/cpack/lvsd-realserver_*.deb)
    shopt -u nullglob
    if [ ${#director_deb[@]} != 1 ] || [ ${#realserver_deb[@]} != 1 ]; then
        fail "expected one lvsd-director and one lvsd-realserver .deb, got: $(ls "$scratch/cpack")"
    fi
    debs=("${director_deb[0]}" "${realserver_deb[0]}")
}

# The Depends of the .debs in $debs, as one apt-get satisfy argument.
debroot_deps() {
    local d
    for d in "${debs[@]}"; do dpkg-deb -f "$d" Depends; done | paste -sd, | sed 's/,/, /g'
}
