#!/usr/bin/env bash
# The README's first command (after npm ci): installs the Debian packages tsbuild uses,
# builds tsbuild, imports a busybox base image made from Debian's busybox-static into
# ./cache, builds testdata/multistage, and runs the image.
# Needs root (namespaces, overlayfs) on Linux; no registry or internet is used.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
npm run --silent build
export TSBUILD_ROOT="${TSBUILD_ROOT:-$PWD/cache}"
mkdir -p "$TSBUILD_ROOT"
npx tsx scripts/example.ts "$TSBUILD_ROOT/busybox-rootfs.tar"
node bin/tsbuild import "$TSBUILD_ROOT/busybox-rootfs.tar" -t busybox:latest
node bin/tsbuild build --progress plain -t example:latest testdata/multistage
node bin/tsbuild run example:latest
