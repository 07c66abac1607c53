#!/usr/bin/env bash
# Builds mediasoup-worker offline, from the C++ sources inside mediasoup's own
# npm tarball, against Debian's libraries. See README.md beside this file for
# why each step exists.
#
#   mediasoup-worker/build.sh          build (or reuse the cached build), then
#                                      print the binary's path on stdout
#   mediasoup-worker/build.sh --path   print where the binary for the current
#                                      recipe lives (built or not) and exit
#
# Progress goes to stderr; stdout carries only the path, so callers can do
# `bin=$(mediasoup-worker/build.sh)`.
#
# Environment:
#   MEDIASOUP_WORKER_CACHE  cache folder (default: ${XDG_CACHE_HOME:-~/.cache}/mediasoup-worker)
#   MEDIASOUP_WORKER_JOBS   parallel compile jobs (default: the number of CPUs)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")

log() { printf '[mediasoup-worker] %s\n' "$*" >&2; }
die() { printf '[mediasoup-worker] error: %s\n' "$*" >&2; exit 1; }

# The mediasoup version is the exact one package.json pins; the worker must
# match the Node side of mediasoup byte for byte (FlatBuffers schemas).
version=$(node -p "require(process.argv[1]).dependencies.mediasoup" "$root/package.json")
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "package.json must pin mediasoup to an exact version (\"mediasoup\": \"X.Y.Z\")"

# Cache key: mediasoup version + every file of this recipe. Changing a patch, a
# shim or this script gives a new key, hence a rebuild.
recipe_hash=$(cd "$here" && find . -type f ! -name README.md -print0 | LC_ALL=C sort -z |
	xargs -0 sha256sum | sha256sum | cut -c1-16)
cache_root=${MEDIASOUP_WORKER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mediasoup-worker}
out_dir="$cache_root/$version-$recipe_hash"
bin="$out_dir/mediasoup-worker"

if [ "${1:-}" = "--path" ]; then
	echo "$bin"
	exit 0
fi

if [ -x "$bin" ]; then
	log "reusing cached build $bin"
	echo "$bin"
	exit 0
fi

for tool in npm tar meson ninja flatc pkg-config patch g++; do
	command -v "$tool" >/dev/null || die "'$tool' is missing; run scripts/setup.sh (it installs the Debian packages)"
done

jobs=${MEDIASOUP_WORKER_JOBS:-$(nproc)}
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "MEDIASOUP_WORKER_JOBS must be a positive number"

work=$(mktemp -d "${TMPDIR:-/tmp}/mediasoup-worker-build.XXXXXX")
trap 'rm -rf "$work"' EXIT

log "fetching mediasoup@$version sources from the npm registry"
(cd "$work" && npm pack --silent "mediasoup@$version" >/dev/null 2>&1) ||
	die "npm pack mediasoup@$version failed (is the npm registry reachable?)"
tar -xzf "$work/mediasoup-$version.tgz" -C "$work"
src="$work/package/worker"

# meson uses a subproject folder that already exists instead of downloading
# its wrap: put our stand-in under the folder each wrap names.
log "installing stand-in subprojects over Debian's libraries"
for wrap in "$src"/subprojects/*.wrap; do
	name=$(basename "$wrap" .wrap)
	dir=$(sed -n 's/^directory[[:space:]]*=[[:space:]]*//p' "$wrap")
	if [ -d "$here/subprojects/$name" ]; then
		[ -n "$dir" ] || die "$wrap has no 'directory =' line"
		cp -r "$here/subprojects/$name" "$src/subprojects/$dir"
	fi
done

log "applying patches"
for p in "$here"/patches/*.patch; do
	log "  $(basename "$p")"
	patch --quiet --forward -p1 -d "$work/package" <"$p" || die "patch $(basename "$p") does not apply to mediasoup@$version"
done

log "configuring (meson, no downloads)"
meson setup --wrap-mode=nodownload --buildtype release -Db_ndebug=true \
	"$work/build" "$src" >"$work/meson.log" 2>&1 || {
	tail -n 40 "$work/meson.log" >&2
	die "meson setup failed (full log above)"
}

log "compiling with $jobs jobs (about 6-8 minutes on 2 cores)"
started=$(date +%s)
ninja -C "$work/build" -j "$jobs" mediasoup-worker >"$work/ninja.log" 2>&1 &
ninja_pid=$!
while kill -0 "$ninja_pid" 2>/dev/null; do
	sleep 15
	step=$(grep -o '^\[[0-9]*/[0-9]*\]' "$work/ninja.log" | tail -n 1 || true)
	kill -0 "$ninja_pid" 2>/dev/null && log "  ${step:-starting} after $(($(date +%s) - started)) s"
done
wait "$ninja_pid" || {
	grep -B2 -A20 -m1 'error' "$work/ninja.log" >&2 || tail -n 40 "$work/ninja.log" >&2
	die "compilation failed"
}

strip "$work/build/mediasoup-worker"
mkdir -p "$out_dir"
# Copy then rename: a half-written binary is never taken for a cached one.
cp "$work/build/mediasoup-worker" "$out_dir/.mediasoup-worker.tmp"
mv "$out_dir/.mediasoup-worker.tmp" "$bin"
log "built $bin ($(du -h "$bin" | cut -f1)) in $(($(date +%s) - started)) s"
echo "$bin"
