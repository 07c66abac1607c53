#!/usr/bin/env bash
# Applies PATCH_DIR/*.patch, in name order, to the npm package in PACKAGE_DIR.
# A patch already applied (it reverses cleanly on its own) is left alone, so
# running this again changes nothing. Used by mediasoup-node/apply.sh and
# protoo-server-patches/apply.sh, which scripts/setup.sh runs on every start.
# Usage: applyPatches.sh LABEL PATCH_DIR PACKAGE_DIR
set -euo pipefail

label=$1
patches=$2
package=$3

log() { printf '[%s] %s\n' "$label" "$*" >&2; }
die() {
	printf '[%s] error: %s\n' "$label" "$*" >&2
	exit 1
}

[ -f "$package/package.json" ] || die "no package at $package (run npm install first)"
name=$(sed -n 's/^[\t ]*"name": "\(.*\)",$/\1/p' "$package/package.json" | head -1)
version=$(sed -n 's/^[\t ]*"version": "\(.*\)",$/\1/p' "$package/package.json" | head -1)

for p in "$patches"/*.patch; do
	patchName=$(basename "$p")
	if patch --dry-run --reverse --force --quiet -p1 -d "$package" <"$p" >/dev/null 2>&1; then
		continue
	fi
	patch --dry-run --forward --quiet -p1 -d "$package" <"$p" >/dev/null 2>&1 ||
		die "$patchName does not apply to $name@$version (the patches are made for the version package.json pins)"
	patch --forward --quiet -p1 -d "$package" <"$p"
	log "applied $patchName to $name@$version"
done
