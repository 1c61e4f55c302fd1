#!/bin/sh
# Build the VRRP decoder fuzzer with clang (libFuzzer + ASan + UBSan) and run it for SECONDS.
# Usage: vrrp_fuzz.sh SECONDS [OUTDIR]
set -eu
seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${2:-$root/build/fuzz}
mkdir -p "$out/vrrp_corpus"

flock /tmp/lvsd-build.lock clang++ -std=c++20 -O1 -g \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$root/director" -I"$root/shared" \
    "$here/vrrp_fuzz.cpp" \
    "$root/director/vrrp/packet.cpp" \
    "$root/director/vrrp/checksum.cpp" \
    "$root/director/vrrp/drop_reason.cpp" \
    "$root/shared/net/ip_address.cpp" \
    -o "$out/vrrp_fuzz"

cd "$out"
exec ./vrrp_fuzz -max_total_time="$seconds" -max_len=512 vrrp_corpus
