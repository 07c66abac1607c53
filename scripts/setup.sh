#!/usr/bin/env bash
# Installs whatever this project still lacks on a Debian bookworm machine that
# reaches only the npm registry and Debian's apt mirror. Idempotent: when
# everything is in place it takes about a second.
#
#   scripts/setup.sh              what the server needs
#   scripts/setup.sh --for-tests  plus what the test suite needs
#
# Steps (each says what it does on stderr):
#   1. Debian packages (apt-get as root; otherwise prints the exact command)
#   2. npm dependencies, Node 24 among them (npm install); the root postinstall
#      (patch-package) applies patches/ to mediasoup, protoo-server and websocket
#   3. checks that the install scripts we rely on ran (node's, esbuild's, our
#      postinstall: scripts/checkPatches.ts)
#   4. mediasoup-worker built from the patched node_modules/mediasoup/worker,
#      cached (mediasoup-worker/build.sh)
#   5. the worker put where mediasoup looks for it, and a smoke start
#   6. the browser app built into dist/app (production), when it is missing or
#      out of date (tools/ensureApp.ts)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

for_tests=false
case "${1:-}" in
	--for-tests) for_tests=true ;;
	"") ;;
	*)
		echo "usage: scripts/setup.sh [--for-tests]" >&2
		exit 2
		;;
esac

step() { printf '[setup] %s\n' "$*" >&2; }
die() {
	printf '[setup] error: %s\n' "$*" >&2
	exit 1
}

# --- 1. Debian packages ------------------------------------------------------

# Compiler, meson/ninja and the -dev libraries the worker is built against;
# openssl for certificates; iproute2 for tc (the network throttle); GStreamer
# for recording (one gst-launch-1.0 per recorded producer) and for
# broadcasters/gstreamer.sh; ffmpeg (with ffprobe), jq and curl for the
# broadcaster scripts (broadcasters/*.sh; the tests use them too). Live HLS
# (server/hls/composer.py) runs GStreamer from Debian's python3 through its
# introspection bindings (python3-gi, gir1.2-gstreamer-1.0,
# gir1.2-gst-plugins-base-1.0), encodes with x264enc (gstreamer1.0-plugins-ugly)
# and decodes H.264 inputs with avdec_h264 (gstreamer1.0-libav).
packages=(g++ make pkg-config patch meson ninja-build libuv1-dev libssl-dev
	libabsl-dev flatbuffers-compiler libflatbuffers-dev openssl ca-certificates iproute2
	gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
	gstreamer1.0-plugins-ugly gstreamer1.0-libav python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0
	ffmpeg jq curl)
# Debian's Chromium for the end-to-end tests (Playwright drives it; it never
# downloads a browser of its own), with fonts so pages render text; coturn,
# whose turnserver the TURN tests start on loopback with settings of their own;
# redis-server, which the cluster tests start on free ports of their own;
# Debian's Prometheus (with promtool) for the monitoring tests, which scrape a
# server with monitoring/prometheus.yml and check the alert rules.
test_packages=(chromium fonts-liberation coturn redis-server prometheus)
if $for_tests; then
	packages+=("${test_packages[@]}")
fi
# dpkg-dev (dpkg-source) for `apt-get source libsrtp2`: the worker's libsrtp is
# built from Debian's sources against OpenSSL, not Debian's NSS-based
# libsrtp2-dev (mediasoup-worker/README.md).
packages+=(dpkg-dev)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	step "installing Debian packages: ${missing[*]}"
	apt_cmd=(apt-get install -y -q --no-install-recommends "${missing[@]}")
	if [ "$(id -u)" -eq 0 ]; then
		sudo=()
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		sudo=(sudo)
	else
		die "these Debian packages are missing: ${missing[*]}
  run as root:  apt-get update && ${apt_cmd[*]}
  then run this command again"
	fi
	# coturn's package enables and starts a system TURN server: its systemd unit
	# does not read TURNSERVER_ENABLED in /etc/default/coturn (only the SysV
	# script does, off by default), and would run Debian's example
	# configuration on every interface. Nothing here needs it (the tests start
	# their own), so when this installs coturn, the unit is masked first, as
	# an administrator would (`systemctl mask`): the package's scripts leave a
	# mask they did not make alone, so it is neither started nor enabled.
	# `systemctl unmask coturn` undoes it.
	if [[ " ${missing[*]} " == *" coturn "* ]] && [ ! -e /etc/systemd/system/coturn.service ]; then
		step "masking coturn's system service before installing coturn (the tests start their own turnserver)"
		"${sudo[@]}" mkdir -p /etc/systemd/system
		"${sudo[@]}" ln -s /dev/null /etc/systemd/system/coturn.service
	fi
	"${sudo[@]}" apt-get update -q >&2 || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" "${apt_cmd[@]}" >&2 || die "apt-get install failed"
else
	step "Debian packages: all present"
fi

# --- 2. npm dependencies -----------------------------------------------------

# The stamp records what node_modules was installed from: the lockfile (whose
# root entry repeats the manifest's dependencies; a new npm script is no
# reason to reinstall) and our patches. When any changed, or a patch is missing from
# node_modules, the packages patches/ patches are removed first, so that npm
# installs them afresh and the postinstall (patch-package, which stops on a
# patch changed since it applied it) applies the current patches to the
# package's own files.
stamp_file=node_modules/.setup-stamp
stamp_now() { cat package-lock.json patches/*.patch 2>/dev/null | sha256sum | cut -c1-16; }
stamp=$(stamp_now)

if [ "$(cat "$stamp_file" 2>/dev/null)" != "$stamp" ] || [ ! -x node_modules/.bin/node ] ||
	! node_modules/.bin/node scripts/checkPatches.ts 2>/dev/null; then
	step "installing npm dependencies (about a minute)"
	# patches/<name>+<version>+<n>+<what>.patch (a scope: @scope+name+...).
	for patch in patches/*.patch; do
		name=${patch#patches/}
		rm -rf "node_modules/$(tr + / <<<"${name%%+[0-9]*}")"
	done
	# MEDIASOUP_WORKER_BIN makes mediasoup's postinstall skip its download and
	# pip/meson build, both impossible here (package.json also denies that
	# script through allowScripts); the worker is built in step 4, at this
	# path. `npm install` installs the versions package-lock.json pins; `npm
	# ci` would refuse this lockfile, in which npm 11 omits other platforms'
	# optional packages (biome's, for example).
	npm_cmd=(npm install)
	# npm itself runs on the system's Node 20, hence EBADENGINE warnings about
	# packages that want Node >= 22: they run on Node 24 later, so drop them.
	set +e
	MEDIASOUP_WORKER_BIN=$(bash mediasoup-worker/build.sh --path) "${npm_cmd[@]}" --no-audit --no-fund 2>&1 |
		grep -v -e 'EBADENGINE' -e 'Unknown user config "nodedir"' >&2
	npm_status=${PIPESTATUS[0]}
	set -e
	[ "$npm_status" -eq 0 ] ||
		die "${npm_cmd[*]} failed (if patch-package named a patch above, it no longer applies: README.md, \"Upgrading mediasoup\")"
	rm -f "$stamp_file"
	# npm may have rewritten package-lock.json.
	stamp=$(stamp_now)
else
	step "npm dependencies: up to date"
fi

# --- 3. install scripts we rely on -------------------------------------------

# npm 11 gates dependency install scripts behind allowScripts and has been seen
# both running and skipping them; check their results, rerun them if needed.
node_ok() { [ "$(node_modules/.bin/node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" = 24 ]; }
esbuild_ok() {
	[ "$(node_modules/.bin/esbuild --version 2>/dev/null)" = "$(node -p 'require("./node_modules/esbuild/package.json").version')" ]
}
if ! node_ok || ! esbuild_ok; then
	step "an install script did not run; rerunning: npm rebuild node esbuild"
	npm rebuild node esbuild 2>&1 | grep -v 'Unknown user config "nodedir"' >&2 || true
fi
node_ok || die "node_modules/.bin/node is not Node 24 (the 'node' package's preinstall did not run)"
esbuild_ok || die "esbuild's binary is missing (esbuild's postinstall did not run)"
# Our own postinstall: every patch of patches/ applied (patches/README.md).
node_modules/.bin/node scripts/checkPatches.ts ||
	die "a patch of patches/ is not applied (the postinstall, patch-package, did not run or failed); run: npx patch-package"

# --- 4. mediasoup-worker -----------------------------------------------------

# Built from node_modules/mediasoup/worker, which the postinstall patched, or
# taken from the cache (mediasoup-worker/README.md).
worker_bin=$(bash mediasoup-worker/build.sh)

# --- 5. worker in place, smoke start -----------------------------------------

# mediasoup looks for its worker here when MEDIASOUP_WORKER_BIN is not set, so
# the server, the tests and mediasoup's own test suite all use our build.
default_bin=node_modules/mediasoup/worker/out/Release/mediasoup-worker
if ! cmp -s "$worker_bin" "$default_bin"; then
	mkdir -p "$(dirname "$default_bin")"
	# Copied beside it, then renamed over it: a worker still running from the
	# old file (a test, a server) keeps its copy, where cp would fail with
	# "Text file busy".
	cp "$worker_bin" "$default_bin.new"
	mv -f "$default_bin.new" "$default_bin"
fi

node_modules/.bin/node -e '
	const mediasoup = await import("mediasoup");
	const worker = await mediasoup.createWorker();
	console.error(`[setup] ready: Node ${process.version}, mediasoup ${mediasoup.version}, worker pid ${worker.pid}`);
	worker.close();
' --input-type=module || die "mediasoup-worker does not start (delete $(dirname "$worker_bin") to rebuild it)"

echo "$stamp" >"$stamp_file"

# --- 6. the browser app ------------------------------------------------------

# The production bundle the server serves from dist/app (the server refuses to
# start without one). Built (esbuild, about half a second) when dist/app is
# missing or its stamp does not match the sources and the mode: a development
# bundle left by `gulp build` or the end-to-end tests is replaced. After the
# npm stamp, so an app that does not build never triggers a reinstall.
node_modules/.bin/node tools/ensureApp.ts
