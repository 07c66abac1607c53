#!/usr/bin/env bash
# Builds mediasoup-worker offline, from the C++ sources npm installed in
# node_modules/mediasoup/worker and patch-package patched (patches/), against
# Debian's libraries. See README.md beside this file for why each step exists.
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

# Cache key: mediasoup version + every file of this recipe + the patches to the
# worker's sources. Changing a shim, this script or a patch to worker/ gives a
# new key, hence a rebuild. The READMEs and the SRTP micro-benchmark
# (srtp-bench/, which only reads the cache) are not part of the recipe. The
# patches count by content, in their order: a patch to mediasoup's Node layer
# only, or a patch renamed, builds nothing new.
worker_patches() {
	grep -l '^diff --git a/node_modules/mediasoup/worker/' "$root"/patches/mediasoup+*.patch 2>/dev/null | LC_ALL=C sort || true
}
recipe_hash=$({
	(cd "$here" && find . -path ./srtp-bench -prune -o -type f ! -name README.md -print0 |
		LC_ALL=C sort -z | xargs -0 sha256sum)
	worker_patches | xargs -r cat | sha256sum
} | sha256sum | cut -c1-16)
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

for tool in meson ninja flatc pkg-config patch g++ gcc make apt-get dpkg-source; do
	command -v "$tool" >/dev/null || die "'$tool' is missing; run scripts/setup.sh (it installs the Debian packages)"
done

jobs=${MEDIASOUP_WORKER_JOBS:-$(nproc)}
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "MEDIASOUP_WORKER_JOBS must be a positive number"

# The sources: node_modules/mediasoup, as npm installed it and the root
# postinstall (patch-package) patched it. scripts/checkPatches.ts proves every
# patch of patches/ is on it, so the cache key above names what is built.
pkg="$root/node_modules/mediasoup"
[ -f "$pkg/package.json" ] || die "node_modules/mediasoup is missing; run scripts/setup.sh (npm install, which patches it)"
installed=$(node -p "require(process.argv[1]).version" "$pkg/package.json")
[ "$installed" = "$version" ] || die "node_modules/mediasoup is $installed, package.json pins $version; run scripts/setup.sh"
"$root/node_modules/.bin/node" "$root/scripts/checkPatches.ts" mediasoup ||
	die "node_modules/mediasoup lacks a patch of patches/ (above); run scripts/setup.sh"
log "worker patches: $(worker_patches | xargs -r -n1 basename | sed 's/^mediasoup+[^+]*+//; s/\.patch$//' | paste -sd' ' -)"

work=$(mktemp -d "${TMPDIR:-/tmp}/mediasoup-worker-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
started=$(date +%s)

# --- libsrtp 2 on OpenSSL, static --------------------------------------------
#
# Debian's libsrtp2 is built against NSS, whose AES-CM + HMAC-SHA1 path costs
# several microseconds per packet (README.md). We build the same Debian sources
# with --enable-openssl (Debian's libcrypto 3, AES-NI) as a static library that
# the libsrtp3 stand-in links into the worker.

# `apt-get source` needs deb-src entries, which the machine's apt may not have.
# They go in a private sources list, with private index and cache folders, so
# the machine's apt configuration and state are never touched. The entries name
# the Debian archives (mirror and suites) the machine's own apt uses.
apt_dir="$work/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/sources.list.d" "$apt_dir/cache/archives/partial"
debian_repos=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Created-By: Packages' 'Origin: Debian' \
	2>/dev/null | LC_ALL=C sort -u || true)
if [ -z "$debian_repos" ]; then
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
	debian_repos="http://deb.debian.org/debian/ $codename
http://deb.debian.org/debian-security/ $codename-security"
fi
while read -r uri suite; do
	echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main"
done <<<"$debian_repos" >"$apt_dir/sources.list"
apt_opts=(-q -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
	-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache")
# As root, apt downloads as its _apt user, who cannot write into our private
# temporary folder; the files are still checked against the signed Release.
[ "$(id -u)" -ne 0 ] || apt_opts+=(-o APT::Sandbox::User=root)

log "fetching libsrtp2 sources from Debian's apt mirror (apt-get source; private deb-src list: $(awk '{print $3 " " $4}' "$apt_dir/sources.list" | paste -sd, - | sed 's/,/, /g'))"
apt-get "${apt_opts[@]}" update >"$work/apt.log" 2>&1 || {
	tail -n 20 "$work/apt.log" >&2
	die "apt-get update of the private deb-src list failed (is Debian's apt mirror reachable?)"
}
mkdir "$work/libsrtp-src"
(cd "$work/libsrtp-src" && apt-get "${apt_opts[@]}" source --only-source libsrtp2) >>"$work/apt.log" 2>&1 || {
	tail -n 20 "$work/apt.log" >&2
	die "apt-get source libsrtp2 failed (dpkg-source comes with the dpkg-dev package)"
}
srtp_deb_version=$(sed -n 's/^Version: //p' "$work"/libsrtp-src/libsrtp2_*.dsc)
srtp_tree=$(find "$work/libsrtp-src" -mindepth 1 -maxdepth 1 -type d -name 'libsrtp2-*')
srtp_version=${srtp_tree##*/libsrtp2-}
# include/srtp.h of the libsrtp3 stand-in maps libsrtp 3's API onto version 2's.
[[ "$srtp_version" = 2.* ]] || die "Debian's libsrtp2 sources are version $srtp_version; the stand-in expects libsrtp 2.x"

log "building libsrtp $srtp_version (Debian $srtp_deb_version) with OpenSSL $(pkg-config --modversion libcrypto), static"
# Without CFLAGS, libsrtp's configure picks its own: -fPIC (the worker is a
# position-independent executable) -O3 -fexpensive-optimizations -funroll-loops.
(cd "$srtp_tree" && ./configure --enable-openssl --disable-pcap) >"$work/libsrtp.log" 2>&1 || {
	tail -n 30 "$work/libsrtp.log" >&2
	die "libsrtp's configure failed (it needs libssl-dev)"
}
srtp_cflags=$(sed -n 's/^CFLAGS[[:space:]]*=[[:space:]]*//p' "$srtp_tree/Makefile" | sed 's/[[:space:]]*$//')
grep -q '^AES_ICM_OBJS *=.*aes_icm_ossl' "$srtp_tree/Makefile" || die "libsrtp's configure did not choose OpenSSL"
[[ " $srtp_cflags " = *" -fPIC "* ]] || die "libsrtp's CFLAGS lack -fPIC: $srtp_cflags"
make -C "$srtp_tree" -j "$jobs" libsrtp2.a test/srtp_driver >>"$work/libsrtp.log" 2>&1 || {
	grep -B2 -A20 -m1 'error' "$work/libsrtp.log" >&2 || tail -n 30 "$work/libsrtp.log" >&2
	die "libsrtp's compilation failed"
}
# libsrtp's own known-answer and round-trip tests, every profile, on OpenSSL.
"$srtp_tree/test/srtp_driver" -v >>"$work/libsrtp.log" 2>&1 || {
	tail -n 30 "$work/libsrtp.log" >&2
	die "libsrtp's self-test (srtp_driver -v) failed"
}
log "  libsrtp self-test (srtp_driver -v): passed"
# The layout Debian's libsrtp2-dev installs: include/srtp2/*.h, lib/libsrtp2.a.
srtp_prefix="$work/libsrtp"
make -C "$srtp_tree" install prefix="$srtp_prefix" >>"$work/libsrtp.log" 2>&1 || die "libsrtp's make install failed"
# Its pkg-config file would name this temporary folder; nothing reads it.
rm -rf "$srtp_prefix/lib/pkgconfig"
cat >"$srtp_prefix/BUILD-INFO" <<EOF
libsrtp $srtp_version from Debian's source package libsrtp2 $srtp_deb_version (apt-get source)
configure --enable-openssl --disable-pcap
CFLAGS $srtp_cflags
OpenSSL (libcrypto) $(pkg-config --modversion libcrypto)
EOF

log "copying mediasoup@$version's patched worker sources from node_modules/mediasoup/worker"
# A copy: the stand-ins below must not land in node_modules. worker/out holds
# the binary scripts/setup.sh puts there, not sources.
src="$work/worker"
cp -r "$pkg/worker" "$src"
rm -rf "$src/out"

# meson uses a subproject folder that already exists instead of downloading
# its wrap: put our stand-in under the folder each wrap names.
log "installing stand-in subprojects over Debian's libraries"
for wrap in "$src"/subprojects/*.wrap; do
	name=$(basename "$wrap" .wrap)
	dir=$(sed -n 's/^directory[[:space:]]*=[[:space:]]*//p' "$wrap")
	if [ -d "$here/subprojects/$name" ]; then
		[ -n "$dir" ] || die "$wrap has no 'directory =' line"
		cp -r "$here/subprojects/$name" "$src/subprojects/$dir"
		# The libsrtp3 stand-in links the libsrtp built above, from libsrtp/.
		[ "$name" != libsrtp3 ] || cp -r "$srtp_prefix" "$src/subprojects/$dir/libsrtp"
	fi
done
[ -n "$(find "$src/subprojects" -path '*/libsrtp/lib/libsrtp2.a')" ] || die "mediasoup@$version has no libsrtp3 wrap to put libsrtp under"

log "configuring (meson, no downloads)"
meson setup --wrap-mode=nodownload --buildtype release -Db_ndebug=true \
	"$work/build" "$src" >"$work/meson.log" 2>&1 || {
	tail -n 40 "$work/meson.log" >&2
	die "meson setup failed (full log above)"
}

log "compiling with $jobs jobs (about 6-8 minutes on 2 cores)"
ninja_started=$(date +%s)
ninja -C "$work/build" -j "$jobs" mediasoup-worker >"$work/ninja.log" 2>&1 &
ninja_pid=$!
while kill -0 "$ninja_pid" 2>/dev/null; do
	sleep 15
	step=$(grep -o '^\[[0-9]*/[0-9]*\]' "$work/ninja.log" | tail -n 1 || true)
	kill -0 "$ninja_pid" 2>/dev/null && log "  ${step:-starting} after $(($(date +%s) - ninja_started)) s"
done
wait "$ninja_pid" || {
	grep -B2 -A20 -m1 'error' "$work/ninja.log" >&2 || tail -n 40 "$work/ninja.log" >&2
	die "compilation failed"
}

strip "$work/build/mediasoup-worker"

# The worker must link OpenSSL's libcrypto, and neither NSS nor a shared libsrtp.
libs=$(ldd "$work/build/mediasoup-worker")
grep -q 'libcrypto\.so' <<<"$libs" || die "the worker does not link libcrypto"
! grep -E 'libsrtp2\.so|libnss3\.so|libnspr4\.so' <<<"$libs" >&2 || die "the worker still links the libraries above"
log "  links libcrypto; no NSS, no shared libsrtp2"

mkdir -p "$out_dir"
# The libsrtp the worker links, kept for srtp-bench/ (headers, static library).
rm -rf "$out_dir/libsrtp" "$out_dir/.libsrtp.tmp"
cp -r "$srtp_prefix" "$out_dir/.libsrtp.tmp"
mv "$out_dir/.libsrtp.tmp" "$out_dir/libsrtp"
# Copy then rename: a half-written binary is never taken for a cached one.
cp "$work/build/mediasoup-worker" "$out_dir/.mediasoup-worker.tmp"
mv "$out_dir/.mediasoup-worker.tmp" "$bin"
log "built $bin ($(du -h "$bin" | cut -f1)) in $(($(date +%s) - started)) s"
echo "$bin"
