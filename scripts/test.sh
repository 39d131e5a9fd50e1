#!/usr/bin/env bash
# The test command: type check, lint, then every test, under Node 24.
# Tests also run against the real PostgreSQL, Redis and NATS when this machine has them on their
# usual ports (each run gets its own database, key prefix and broker namespace).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/node24.sh

# Also when scripts/start.sh installed only what the platform needs (no mocha, tsc or eslint).
if [ ! -x node_modules/.bin/mocha ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

# The console: its own dependencies, type check and build (skipped when up to date); its browser
# tests (test/console) drive this build.
scripts/build-console.sh
npm --prefix console run --silent typecheck

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
listening 5432 && export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
listening 6379 && export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379}"
listening 4222 && export TEST_NATS_URL="${TEST_NATS_URL:-nats://127.0.0.1:4222}"

# Mocha's summary ("N passing") is echoed in the plain form CI reads ("N passed, N failed").
log="$(mktemp)"
set +e
npm test 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
plain="$(sed 's/\x1b\[[0-9;]*m//g' "$log")"
count() { { grep -Eo "^ +[0-9]+ $1" <<<"$plain" || true; } | grep -Eo '[0-9]+' | tail -1 || true; }
passed=$(count passing)
failed=$(count failing)
skipped=$(count pending)
rm -f "$log"
if [ -n "$passed$failed" ]; then
  echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
fi
exit "$status"
