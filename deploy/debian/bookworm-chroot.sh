#!/usr/bin/env bash
# Makes (once) the Debian 12 minbase chroot that test/deploy/package.test.ts installs the packages
# into: debootstrap from the host's own Debian archive (read from its apt sources), cached at a
# fixed path so later runs on the same machine take a copy in seconds. No Node.js in it; iproute2
# (priority important, on every real server) is added because the daemon packages depend on it.
# Usage: deploy/debian/bookworm-chroot.sh [DIR]   (default /var/cache/ballast-ci/bookworm-minbase)
set -euo pipefail
dir=${1:-/var/cache/ballast-ci/bookworm-minbase}
[ -x "$dir/bin/sh" ] && grep -qx iproute2 "$dir/.ballast-complete" 2>/dev/null && exit 0
command -v debootstrap >/dev/null || { echo "bookworm-chroot: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || { echo "bookworm-chroot: no Debian archive found in the host's apt sources" >&2; exit 1; }
tmp="$dir.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$(dirname "$dir")"
debootstrap --variant=minbase --include=iproute2 bookworm "$tmp" "$mirror" >"$tmp.log" 2>&1 || { tail -20 "$tmp.log" >&2; rm -f "$tmp.log"; exit 1; }
rm -f "$tmp.log"
rm -rf "$tmp"/var/cache/apt/archives/*.deb
echo iproute2 >"$tmp/.ballast-complete"
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
