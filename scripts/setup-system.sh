#!/usr/bin/env bash
# Installs the Debian packages tsbuild's example and tests use, when any is missing:
# busybox-static (the base image's root filesystem), skopeo and umoci (validate our
# archives), docker-registry and apache2-utils (a real registry with htpasswd auth),
# xz-utils, zstd and bzip2 (ADD of compressed archives), qemu-user-static and binfmt-support
# (RUN steps of other architectures in multi-platform builds), an arm64 cross compiler (the
# seccomp filter's probe under qemu-user), uidmap (newuidmap/newgidmap for rootless mode and
# its tests), slirp4netns (the default network of RUN steps), debootstrap (the real-world
# suite's Debian base), chromium (renders the --report page headless). Needs root.
set -euo pipefail
packages=(busybox-static skopeo umoci docker-registry apache2-utils xz-utils zstd bzip2 iproute2
  qemu-user-static binfmt-support gcc-aarch64-linux-gnu libc6-dev-arm64-cross uidmap slirp4netns debootstrap
  chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Foreign-architecture binaries run through QEMU registered in binfmt_misc with the F flag
# (Debian's qemu-user-static does that), so the emulator works inside the build sandbox.
binfmt=/proc/sys/fs/binfmt_misc
[ -e "$binfmt/status" ] || mount -t binfmt_misc binfmt_misc "$binfmt"
[ -e "$binfmt/qemu-aarch64" ] || update-binfmts --enable qemu-aarch64
