#!/usr/bin/env bash
# Installs the dependencies, builds, and runs every test: Boost.Test units and the integration
# tests on network namespaces (root needed). Extra arguments go to ctest (e.g. -L unit).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
    echo "test.sh: run as root (network namespaces, sysctls)" >&2
    exit 4
fi
bash scripts/bootstrap.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
cd build
ctest --output-on-failure --timeout 900 "$@"
