#!/usr/bin/env bash
# Installs every build and test dependency of lvsd from Debian's packages.
# Idempotent: packages already present are not fetched again.
set -euo pipefail

pkgs=(
  build-essential g++ cmake pkg-config clang-format
  clang libclang-rt-14-dev
  libnl-3-dev libnl-route-3-dev libnl-genl-3-dev
  libssl-dev
  libboost-program-options-dev libboost-test-dev libboost-dev
  nlohmann-json3-dev libsystemd-dev libnftables-dev
  nginx-light keepalived curl wrk iproute2 iputils-arping nftables procps
  iputils-ping lsb-base python3-aiosmtpd
  qemu-system-x86 busybox-static ipvsadm xz-utils
  debootstrap lintian
  ansible ansible-lint openssh-client
  ethtool
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # --no-install-recommends keeps nginx/keepalived from pulling in extras;
  # policy-rc.d stops the packages from starting their services at install.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "bootstrap: all dependencies present"
fi
