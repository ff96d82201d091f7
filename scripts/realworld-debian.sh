#!/usr/bin/env bash
# Prints the path of a Debian bookworm minbase root filesystem tarball for the real-world
# suite, making it with debootstrap from this machine's Debian mirror when the cache lacks it.
# The cache (default /var/cache/tsbuild-realworld, or $TSBUILD_REALWORLD_CACHE) is keyed by a
# hash of the recipe (this script and the mirror), so reruns on one machine skip the ~1 min
# debootstrap. Needs root and debootstrap (scripts/setup-system.sh installs it).
set -euo pipefail
suite=bookworm
cache="${TSBUILD_REALWORLD_CACHE:-/var/cache/tsbuild-realworld}"

# The first Debian archive URI apt uses here (deb822 .sources or one-line .list), else Debian's CDN.
mirror=$(
  { grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
    grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}'
  } | grep -E '/debian/?$' | head -n 1 || true
)
mirror="${mirror:-http://deb.debian.org/debian}"

key=$( { cat "$0"; echo "$mirror $suite"; } | sha256sum | cut -c1-16)
tarball="$cache/debian-$suite-minbase-$key.tar"
if [ -s "$tarball" ]; then
  echo "$tarball"
  exit 0
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/.work-XXXXXX")
trap 'rm -rf "$work"' EXIT
debootstrap --variant=minbase "$suite" "$work/rootfs" "$mirror" >"$work/log" 2>&1 || {
  tail -n 20 "$work/log" >&2
  echo "debootstrap of $suite from $mirror failed" >&2
  exit 1
}
# As Docker's debian image: no device nodes, package caches or apt lists in the layer.
rm -rf "$work/rootfs/dev/"* "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"* \
  "$work/rootfs/var/log/"*.log "$work/rootfs/var/log/apt/"*
tar --numeric-owner --sort=name -C "$work/rootfs" -cf "$work/rootfs.tar" .
mv "$work/rootfs.tar" "$tarball"
echo "$tarball"
