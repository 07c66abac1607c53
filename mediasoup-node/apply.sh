#!/usr/bin/env bash
# Applies patches/*.patch to node_modules/mediasoup (its Node layer, node/lib).
# Run by scripts/setup.sh every time, after its npm step; a patch already applied is
# left alone, so running it again changes nothing. See README.md for why.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec bash "$here/../scripts/applyPatches.sh" mediasoup-node "$here/patches" "${1:-$here/../node_modules/mediasoup}"
