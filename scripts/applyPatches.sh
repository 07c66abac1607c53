#!/usr/bin/env bash
# Applies PATCH_DIR/*.patch, in name order, to the npm package in PACKAGE_DIR.
# A patch already applied (it reverses cleanly on its own) is left alone, so
# running this again changes nothing. Used by mediasoup-node/apply.sh and
# protoo-server-patches/apply.sh, which scripts/setup.sh runs on every start.
# When the package carries an earlier version of the patches (a checkout
# updated after its set-up), the files the patches change are first put back
# as the package's registry tarball has them, and every patch applied again.
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

# Applies the patches not applied yet; on one that does not apply, names it
# in $failed and stops.
failed=
apply_all() {
	for p in "$patches"/*.patch; do
		if patch --dry-run --reverse --force --quiet -p1 -d "$package" <"$p" >/dev/null 2>&1; then
			continue
		fi
		if ! patch --dry-run --forward --quiet -p1 -d "$package" <"$p" >/dev/null 2>&1; then
			failed=$(basename "$p")
			return 1
		fi
		patch --forward --quiet --no-backup-if-mismatch -p1 -d "$package" <"$p"
		log "applied $(basename "$p") to $name@$version"
	done
}

# The package's own copies of every file the patches change, from its tarball
# on the npm registry (the patches only ever touch those files).
restore_pristine() {
	local tmp file
	tmp=$(mktemp -d)
	(cd "$tmp" && npm pack --silent "$name@$version" >/dev/null 2>&1) || {
		rm -rf "$tmp"
		die "npm pack $name@$version failed: cannot put back the files of $failed"
	}
	tar -xzf "$tmp"/*.tgz -C "$tmp"
	sed -n 's#^+++ b/\([^\t]*\).*#\1#p' "$patches"/*.patch | sort -u | while read -r file; do
		cp "$tmp/package/$file" "$package/$file"
	done
	rm -rf "$tmp"
}

if ! apply_all; then
	log "$failed does not apply: an earlier version of these patches is applied; putting back $name@$version's own files"
	restore_pristine
	apply_all || die "$failed does not apply to $name@$version (the patches are made for the version package.json pins)"
fi
