#!/usr/bin/env bash
# Builds tests/fuzz/conf_fuzz.cpp with clang++ (libFuzzer + ASan + UBSan) and runs it for a bounded
# time, starting from the keepalived samples and our fixtures.
#
# Usage: tests/fuzz/run.sh [SECONDS] [BUILD_DIR]     (default 60 s, build/fuzz)
set -euo pipefail

seconds=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${2:-$root/build/fuzz}
mkdir -p "$out/corpus"

if ! command -v clang++ >/dev/null; then
    echo "SKIP: clang++ is not installed"
    exit 77
fi

sources=(
    "$root"/shared/conf/{diagnostic,token,reader,statement}.cpp
    "$root"/shared/net/ip_address.cpp
    "$root"/director/config/*.cpp
    "$root"/tests/fuzz/conf_fuzz.cpp
)
bin=$out/conf_fuzz
# Rebuild only when a source is newer than the binary; the lock shares the CPUs with other builds.
if [[ ! -x $bin ]] || [[ -n $(find "${sources[@]}" "$root"/shared/conf "$root"/director/config \
    -newer "$bin" -print -quit) ]]; then
    echo "building $bin"
    flock /tmp/lvsd-build.lock clang++ -std=c++20 -g -O1 \
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -I"$root/shared" -I"$root" "${sources[@]}" -o "$bin"
fi

# Seeds: real configurations reach far deeper than random bytes would.
cp -f /usr/share/doc/keepalived/samples/keepalived.conf.* "$out/corpus/" 2>/dev/null || true
cp -f "$root"/tests/fixtures/keepalived/*.conf "$out/corpus/"

cd "$out"
exec "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 corpus
