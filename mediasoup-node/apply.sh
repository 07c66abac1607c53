#!/usr/bin/env bash
# Applies patches/*.patch to node_modules/mediasoup (its Node layer, node/lib).
# Run by scripts/setup.sh every time, after its npm step; a patch already applied is
# left alone, so running it again changes nothing. See README.md for why.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
package=${1:-$here/../node_modules/mediasoup}

log() { printf '[mediasoup-node] %s\n' "$*" >&2; }
die() {
	printf '[mediasoup-node] error: %s\n' "$*" >&2
	exit 1
}

[ -f "$package/package.json" ] || die "no mediasoup package at $package (run npm install first)"
version=$(sed -n 's/^\t*"version": "\(.*\)",$/\1/p' "$package/package.json" | head -1)

for p in "$here"/patches/*.patch; do
	name=$(basename "$p")
	if patch --dry-run --reverse --force --quiet -p1 -d "$package" <"$p" >/dev/null 2>&1; then
		continue
	fi
	patch --dry-run --forward --quiet -p1 -d "$package" <"$p" >/dev/null 2>&1 ||
		die "$name does not apply to mediasoup@$version (the patches are made for the version package.json pins)"
	patch --forward --quiet -p1 -d "$package" <"$p"
	log "applied $name to mediasoup@$version"
done
