#!/usr/bin/env bash
# Installs the Debian packages tsbuild's example and tests use, when any is missing:
# busybox-static (the base image's root filesystem), skopeo and umoci (validate our
# archives), docker-registry and apache2-utils (a real registry with htpasswd auth),
# xz-utils, zstd and bzip2 (ADD of compressed archives), qemu-user-static and an arm64 cross
# compiler (the seccomp filter under qemu-user), chromium (renders the --report page
# headless). Needs root.
set -euo pipefail
packages=(busybox-static skopeo umoci docker-registry apache2-utils xz-utils zstd bzip2 iproute2
  qemu-user-static gcc-aarch64-linux-gnu libc6-dev-arm64-cross chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
