#!/usr/bin/env bash
# The test suite, in order of cost: static checks, mediasoup's own suite
# against our worker, then our tests. `npm test` runs scripts/setup.sh first.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# The project's Node 24 and tools first, also when this runs outside npm.
export PATH="$root/node_modules/.bin:$PATH"

section() { printf '\n[test] %s\n' "$*"; }

section "types (tsc, strict)"
tsc -p tsconfig.json

section "lint and format (biome)"
biome check .

section "mediasoup's own test suite against our worker"
node scripts/test-worker.ts

section "our tests (node --test)"
node --test --test-reporter=spec --test-concurrency=1 'tests/**/*.test.ts'
