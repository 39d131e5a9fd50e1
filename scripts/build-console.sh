#!/usr/bin/env bash
# Builds the console (console/, Vite) into console/dist when its sources changed since the last
# build, installing its own dependencies first when console/package-lock.json changed. Quiet and
# quick when everything is up to date; scripts/start.sh, scripts/test.sh and the console tests run it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/node24.sh

if [ ! -d console/node_modules ] || [ console/package-lock.json -nt console/node_modules/.package-lock.json ]; then
  (cd console && npm ci --no-audit --no-fund --loglevel=error)
fi

stamp=console/dist/.built
if [ -f "$stamp" ] && [ -z "$(find console/src console/scripts console/index.html console/package-lock.json console/vite.config.ts console/tsconfig.json -newer "$stamp" -print -quit)" ]; then
  exit 0
fi
echo "Building the console (console/ → console/dist)…"
(cd console && npm run --silent build >/dev/null)
touch "$stamp"
