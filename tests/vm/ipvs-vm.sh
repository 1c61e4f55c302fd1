#!/usr/bin/env bash
# Runs a test script against a real kernel IPVS: Debian's own kernel (linux-image-amd64, with its
# ip_vs modules) booted under qemu-system-x86_64 with software emulation (TCG; no KVM needed) and
# a busybox initramfs. The host's / is shared read-only over virtio-9p under a tmpfs overlay and
# the script runs chrooted in it, so freshly built binaries run at their host paths with the
# host's libraries and tools (ipvsadm, ip, curl).
#
#   tests/vm/ipvs-vm.sh SCRIPT [ARG]...     exit status: SCRIPT's in the guest
#
# 77: qemu, busybox-static, ipvsadm or the kernel package is unavailable (the test is skipped);
# 124: the guest ran out of time; 125: the guest never reported a status.
#
# Environment: LVSD_VM_CACHE (default /var/cache/lvsd-ipvs-vm: kernel, modules, initramfs),
# LVSD_VM_TIMEOUT (seconds, default 240), LVSD_VM_MEM (MiB, default 512), LVSD_VM_LOG (keep the
# console output in this file), LVSD_VM_QEMU (default qemu-system-x86_64).
#
# Pitfalls (learnt from the shared reference recipe, ipvs-vm/NOTES.md, which this follows):
# - libcrc32c (needed by nf_conntrack, needed by ip_vs) only soft-depends on crc32c_generic, which
#   busybox modprobe ignores: load crc32c_generic first.
# - the package ships no modules.dep (its postinst runs depmod): busybox depmod writes one.
# - busybox insmod may not read compressed modules: they are unpacked into the initramfs.
# - the kernel's request_module() (scheduler and family autoload) runs /sbin/modprobe.
# - qemu boots the uncompressed vmlinux (PVH entry) directly, which the reference measured ~2.5 s
#   faster than letting the bzImage decompress itself under TCG.
set -euo pipefail

[ $# -ge 1 ] || { sed -n '2,12p' "$0"; exit 2; }
SCRIPT=$(readlink -f "$1")
shift
CACHE=${LVSD_VM_CACHE:-/var/cache/lvsd-ipvs-vm}
TIMEOUT=${LVSD_VM_TIMEOUT:-240}
MEM=${LVSD_VM_MEM:-512}
BB=/bin/busybox
T0=$(date +%s%N)
say() { echo "[ipvs-vm $(( ($(date +%s%N) - T0) / 1000000 )) ms] $*" >&2; }
skip() { echo "SKIP: $*" >&2; exit 77; }

QEMU=${LVSD_VM_QEMU:-qemu-system-x86_64}
command -v "$QEMU" >/dev/null || skip "$QEMU missing (scripts/bootstrap.sh installs it)"
command -v ipvsadm >/dev/null || skip "ipvsadm missing (scripts/bootstrap.sh installs it)"
case " $($BB --list 2>/dev/null | tr '\n' ' ') " in
*" depmod "*" httpd "*) ;;
*) skip "$BB (busybox-static, with depmod and httpd) missing" ;;
esac
[ -f "$SCRIPT" ] || { echo "no such script: $SCRIPT" >&2; exit 2; }

# Modules loaded at boot, and modules only shipped (autoloaded or modprobed by the test).
BOOT_MODS="crc32c_generic ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_lblc ip_vs_lblcr
           ip_vs_dh ip_vs_sh ip_vs_sed ip_vs_nq ip_vs_fo ip_vs_ovf ip_vs_mh
           virtio_pci 9pnet_virtio 9p overlay veth dummy bridge"
LAZY_MODS="ipip ip6_tunnel ip_gre fou nf_tables nft_chain_nat xt_mark iptable_mangle"

# Every module file (relative to lib/modules/KV) the named modules need, from modules.dep.
closure() { # modules.dep name...
    local dep=$1
    shift
    LC_ALL=C awk -v want="$*" '
        BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) { gsub("-", "_", w[i]); need[w[i]] = 1 } }
        { f = $1; sub(/:$/, "", f); m = f; sub(/.*\//, "", m); sub(/\.ko.*/, "", m); gsub("-", "_", m)
          if (m in need) { seen[m] = 1; print f; for (i = 2; i <= NF; i++) print $i } }
        END { for (m in need) if (!(m in seen)) { print "ipvs-vm: no module " m > "/dev/stderr"; bad = 1 }
              exit bad }' "$dep" | LC_ALL=C sort -u
}

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9 # one run prepares the cache, concurrent ones wait for it

# ------------------------------------------------------------ kernel (downloaded once)
if [ ! -s "$CACHE/kernel.version" ]; then
    say "fetching Debian's linux-image-amd64 (not installed on the host)"
    dl=$(mktemp -d "$CACHE/dl.XXXXXX")
    (
        cd "$dl"
        apt-cache show linux-image-amd64 >/dev/null 2>&1 || apt-get update -qq
        # apt-get as root into a directory _apt cannot write warns "unsandboxed": harmless
        apt-get download -qq linux-image-amd64 2>/dev/null || exit 77
        real=$(dpkg-deb -f linux-image-amd64_*.deb Depends | tr ',' '\n' |
            sed -n 's/^ *\(linux-image-[0-9][^ ]*\).*/\1/p' | head -1)
        apt-get download -qq "$real" 2>/dev/null || exit 77
        dpkg-deb -x "$real"_*.deb root
    ) || { rm -rf "$dl"; skip "cannot download the kernel package"; }
    kv=$(ls "$dl/root/lib/modules")
    $BB depmod -b "$dl/root" "$kv"
    md="$dl/root/lib/modules/$kv"
    mkdir -p "$CACHE/modules/$kv"
    closure "$md/modules.dep" $BOOT_MODS $LAZY_MODS >"$dl/closure"
    tar -C "$md" -cf - -T "$dl/closure" modules.dep modules.alias modules.builtin |
        tar -C "$CACHE/modules/$kv" -xf -
    vmlinuz="$dl/root/boot/vmlinuz-$kv"
    # the xz stream inside the bzImage is the plain vmlinux (an ELF file qemu boots directly)
    off=$(LC_ALL=C grep -m1 -obUaP '\xfd7zXZ\x00' "$vmlinuz" | cut -d: -f1 || true)
    if [ -n "$off" ] && { tail -c +$((off + 1)) "$vmlinuz" || true; } |
        xz -dc --single-stream >"$CACHE/vmlinux" 2>/dev/null &&
        [ "$(head -c 4 "$CACHE/vmlinux" | tail -c 3)" = ELF ]; then
        :
    else
        cp "$vmlinuz" "$CACHE/vmlinux"
    fi
    rm -rf "$dl"
    echo "$kv" >"$CACHE/kernel.version"
    rm -f "$CACHE/initrd.stamp"
    say "kernel $kv cached"
fi
KV=$(cat "$CACHE/kernel.version")

# ------------------------------------------------------------ initramfs (rebuilt when this changes)
STAMP=$( (cat "$0" $BB; echo "$KV") | sha256sum | cut -c1-16)
if [ "$(cat "$CACHE/initrd.stamp" 2>/dev/null)" != "$STAMP" ]; then
    say "building the initramfs"
    R="$CACHE/initramfs"
    rm -rf "$R"
    mkdir -p "$R"/{bin,sbin,dev,proc,sys,tmp,host,9p,ov}
    cp $BB "$R/bin/busybox"
    ln -s busybox "$R/bin/sh"
    ln -s ../bin/busybox "$R/sbin/modprobe"
    src="$CACHE/modules/$KV" dst="$R/lib/modules/$KV"
    mkdir -p "$dst"
    closure "$src/modules.dep" $BOOT_MODS $LAZY_MODS >"$CACHE/closure"
    tar -C "$src" -cf - -T "$CACHE/closure" modules.builtin | tar -C "$dst" -xf -
    find "$dst" -name '*.ko.xz' -exec xz -d {} +
    LC_ALL=C awk 'NR == FNR { keep[$0] = 1; next } { f = $1; sub(/:$/, "", f); if (f in keep) print }' \
        "$CACHE/closure" "$src/modules.dep" | sed 's/\.ko\.xz/.ko/g' >"$dst/modules.dep"
    # aliases of the shipped modules (request_module asks for e.g. "rtnl-link-bridge")
    LC_ALL=C awk 'NR == FNR { m = $0; sub(/.*\//, "", m); sub(/\.ko.*/, "", m); gsub("-", "_", m); keep[m] = 1; next }
        $1 == "alias" { m = $3; gsub("-", "_", m); if (m in keep) print }' \
        "$CACHE/closure" "$src/modules.alias" >"$dst/modules.alias"
    cat >"$R/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/sbin:/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev; mount -t tmpfs tmp /tmp
for m in $(echo $BOOT_MODS); do modprobe \$m || echo "ipvs-vm: cannot load \$m"; done
ip link set lo up
echo; echo "IPVS-VM-KERNEL=\$(uname -r)"
run() {
    mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /9p || return 98
    mount -t tmpfs ov /ov && mkdir -p /ov/up /ov/work || return 98
    mount -t overlay -o lowerdir=/9p,upperdir=/ov/up,workdir=/ov/work ov /host || return 97
    mount -t proc proc /host/proc; mount -t sysfs sys /host/sys; mount -t devtmpfs dev /host/dev
    mount -t tmpfs run /host/run
    mkdir -p /host/dev/pts && mount -t devpts devpts /host/dev/pts
    mkdir -p /host/lib/modules/\$(uname -r) && mount --bind /lib/modules/\$(uname -r) /host/lib/modules/\$(uname -r)
    env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb \\
        chroot /host /bin/sh -c "\$(cat /cmd)"
}
run
echo "IPVS-VM-RC=\$?"
poweroff -f
EOF
    chmod +x "$R/init"
    (cd "$R" && find . -print0 | LC_ALL=C sort -z | $BB cpio -o -H newc -0 2>/dev/null) |
        gzip -1 >"$CACHE/initrd.gz"
    echo "$STAMP" >"$CACHE/initrd.stamp"
fi
flock -u 9

# ------------------------------------------------------------ this run: the command, then boot
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lvsd-ipvs-vm.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/ov"
printf '%q ' /bin/sh "$SCRIPT" "$@" >"$WORK/ov/cmd"
(cd "$WORK/ov" && echo cmd | $BB cpio -o -H newc 2>/dev/null) | gzip -1 >"$WORK/cmd.gz"
cat "$CACHE/initrd.gz" "$WORK/cmd.gz" >"$WORK/initrd.gz" # later archives add to earlier ones

say "booting $KV under TCG: $(basename "$SCRIPT") $*"
set +e
timeout "$TIMEOUT" "$QEMU" -accel tcg -m "$MEM" -smp 1 -nographic -nodefaults \
    -no-user-config -no-reboot -serial stdio -kernel "$CACHE/vmlinux" -initrd "$WORK/initrd.gz" \
    -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
    -append "console=ttyS0 panic=-1 quiet" </dev/null 2>&1 |
    sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' -e 's/\x1bc//g' | tee "$WORK/console"
qrc=${PIPESTATUS[0]}
set -e
[ -z "${LVSD_VM_LOG:-}" ] || cp "$WORK/console" "$LVSD_VM_LOG"
say "qemu exit $qrc"
[ "$qrc" != 124 ] || { say "timed out after ${TIMEOUT}s"; exit 124; }
rc=$(sed -n 's/^IPVS-VM-RC=\([0-9]*\).*/\1/p' "$WORK/console" | tail -1)
exit "${rc:-125}"
