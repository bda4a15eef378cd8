#!/usr/bin/env bash
# Debian packages the test suite needs beyond Node: PostgreSQL (the store tests start a throwaway
# cluster on loopback), docker-compose v1 (validates docker-compose.yml; no engine needed), and the browsers
# the evidence view is tested in: Chromium (driven by playwright-core) and Firefox ESR (puppeteer-core over
# WebDriver BiDi), with a font for their screenshots. No test downloads a browser of its own.
# Idempotent: installs only what is missing. Needs root (or sudo).
set -euo pipefail
need=()
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
echo "system dependencies present: $(ls -d /usr/lib/postgresql/*/bin | head -1), $(docker-compose version --short 2>/dev/null), $(/usr/bin/chromium --version 2>/dev/null), $(/usr/bin/firefox-esr --version 2>/dev/null)"
