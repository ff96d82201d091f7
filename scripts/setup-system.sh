#!/usr/bin/env bash
# Installs the Debian packages tsbuild's example and tests use, when any is missing:
# busybox-static (the base image's root filesystem), skopeo and umoci (validate our
# archives), docker-registry and apache2-utils (a real registry with htpasswd auth),
# xz-utils, zstd and bzip2 (ADD of compressed archives), slirp4netns (the default network of
# RUN steps), debootstrap (the real-world suite's Debian base). Needs root.
set -euo pipefail
packages=(busybox-static skopeo umoci docker-registry apache2-utils xz-utils zstd bzip2 iproute2 slirp4netns debootstrap)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
