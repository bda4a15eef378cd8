#!/usr/bin/env bash
# Debian packages `npm ci` and `npm test` need beyond Node:
# - python3, make, g++: node-gyp compiles better-sqlite3 (and SQLite) from source wherever no prebuilt binary
#   can be downloaded (as on machines that reach only the package registries); ccache lets a second build for
#   another Node version reuse the C objects (.ci/run builds for two);
# - PostgreSQL: the store tests start a throwaway cluster on loopback;
# - docker-compose v1: validates docker-compose.yml (no Docker engine needed);
# - the browsers the evidence view is tested in: Chromium (driven by playwright-core) and Firefox ESR
#   (puppeteer-core over WebDriver BiDi), with a font for their screenshots. No test downloads a browser.
# Idempotent: installs only what is missing. Needs root (or sudo).
set -euo pipefail
need=()
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v make >/dev/null 2>&1 || need+=(make)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v ccache >/dev/null 2>&1 || need+=(ccache)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/firefox-esr ] || need+=(firefox-esr)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Debian starts a cluster on install; the tests run their own, so stop the packaged one.
  $SUDO service postgresql stop >/dev/null 2>&1 || true
fi
echo "system dependencies present: $(ls -d /usr/lib/postgresql/*/bin | head -1), docker-compose $(docker-compose version --short 2>/dev/null), $(g++ --version | head -1), $(ccache --version | head -1), $(/usr/bin/chromium --version 2>/dev/null), $(/usr/bin/firefox-esr --version 2>/dev/null)"
