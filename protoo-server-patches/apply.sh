#!/usr/bin/env bash
# Applies patches/*.patch to node_modules/protoo-server. Run by scripts/setup.sh
# every time, after its npm step; a patch already applied is left alone. See
# README.md for why.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec bash "$here/../scripts/applyPatches.sh" protoo-server-patches "$here/patches" "${1:-$here/../node_modules/protoo-server}"
