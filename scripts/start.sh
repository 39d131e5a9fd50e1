#!/usr/bin/env bash
# Starts one platform node under Node 24. With nothing configured: the embedded default (PGlite in
# ./data, in-memory cache, a demo tenant), and it prints the URL and keys.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/node24.sh

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --omit=dev
fi
# The console (served at /console): rebuilt only when its sources changed.
scripts/build-console.sh
exec node core/server/start.ts
