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
set -euo pipefail

build=$(realpath "${1:?usage: deb_install.sh BUILD_DIR}")
cache=${LVSD_DEBOOTSTRAP_CACHE:-/var/cache/lvsd-debootstrap}
suite=bookworm
arch=$(dpkg --print-architecture)
tarball=$cache/$suite-minbase-$arch.tar.gz
skip=77

say() { echo "pkg.deb: $*"; }
fail() { echo "pkg.deb: FAIL: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || { say "needs root (debootstrap, chroot, mounts); skipped"; exit $skip; }

# Everything below runs in a private mount namespace: the mounts made for the chroot are never
# seen by the host and vanish with the namespace even if this script is killed.
if [ -z "${LVSD_PKG_IN_NS:-}" ]; then
    LVSD_PKG_IN_NS=1 exec unshare --mount --propagation private -- "$0" "$@"
fi

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
              if (types ~ / deb / && suites ~ (" " s " ")) { split(uris, u, " "); for (k in u) if (u[k] != "") { print u[k]; exit } } }' "$f"
    done | head -n1
}
mirror=${LVSD_DEBIAN_MIRROR:-$(apt_uri "$suite" | head -n1)}
security=$(apt_uri "$suite-security" | head -n1)
[ -n "$mirror" ] || { say "no Debian $suite mirror in /etc/apt/sources.list*; skipped"; exit $skip; }
mirror_up() { curl -fsS --max-time 20 -o /dev/null "$mirror/dists/$suite/Release"; }

# --- scratch dir, mounts, cleanup on every exit path ------------------------------------------
mkdir -p "$cache/archives/partial"
# Scratch dirs of earlier runs that were killed (their pid is gone): nothing is mounted in them
# (the mounts died with their namespace), so they can go.
for d in /var/tmp/lvsd-pkg.*; do
    [ -d "$d" ] || continue
    p=$(cat "$d/pid" 2>/dev/null || echo 0)
    if [ "$p" = 0 ] || ! kill -0 "$p" 2>/dev/null; then
        grep -q " $d/" /proc/self/mounts || rm -rf --one-file-system "$d"
    fi
done
scratch=$(mktemp -d /var/tmp/lvsd-pkg.XXXXXX)
echo $$ >"$scratch/pid"
root=$scratch/root
mounted=()
cleanup() {
    local rc=$? i
    trap - EXIT INT TERM
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || true
    done
    if grep -q " $scratch/" /proc/self/mounts; then
        echo "pkg.deb: still mounted under $scratch, left in place" >&2
    else
        rm -rf --one-file-system "$scratch"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mount_root() { # $1: root dir. proc, a minimal /dev, the shared apt archive cache.
    local r=$1
    mount -t proc proc "$r/proc" && mounted+=("$r/proc")
    mount -t tmpfs -o mode=0755,size=1m,nosuid devtmp "$r/dev" && mounted+=("$r/dev")
    mknod -m 666 "$r/dev/null" c 1 3
    mknod -m 666 "$r/dev/zero" c 1 5
    mknod -m 666 "$r/dev/full" c 1 7
    mknod -m 666 "$r/dev/random" c 1 8
    mknod -m 666 "$r/dev/urandom" c 1 9
    ln -s /proc/self/fd "$r/dev/fd"
    mkdir -p "$r/var/cache/apt/archives"
    mount --bind "$cache/archives" "$r/var/cache/apt/archives" && mounted+=("$r/var/cache/apt/archives")
}
umount_root() {
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[i]}"; done
    mounted=()
}
# Runs a command in the root with a clean environment and a time bound ($T seconds, default 120).
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
    # Bounded: a first run downloads about 40 MB.
    if ! timeout 1500 debootstrap --variant=minbase --arch="$arch" "$suite" "$r" "$mirror" \
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
    T=600 in_root apt-get update -qq || fail "apt-get update in the new root"
    T=60 in_root apt-get clean
    umount_root
    root=$saved_root
    tar -C "$r" --numeric-owner -czf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf --one-file-system "$r"
}
# One maker at a time; the others wait (bounded) and reuse its tarball.
exec 9>"$cache/lock"
flock -w 1800 9 || fail "timed out waiting for $cache/lock"
[ -s "$tarball" ] || make_tarball
exec 9>&-

# --- the packages ---------------------------------------------------------------------------------
[ -f "$build/CPackConfig.cmake" ] || fail "$build/CPackConfig.cmake missing: configure the build first"
say "cpack -G DEB (into the scratch dir)"
t0=$(date +%s)
timeout 600 cpack -G DEB --config "$build/CPackConfig.cmake" -B "$scratch/cpack" >"$scratch/cpack.log" 2>&1 ||
    { cat "$scratch/cpack.log" >&2; fail "cpack"; }
say "cpack took $(($(date +%s) - t0)) s"
echo "PACKAGES_PLACEHOLDER"
