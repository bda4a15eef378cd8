#!/usr/bin/env bash
# Debian packages the test suite needs beyond Node: PostgreSQL (the store tests start a throwaway
# cluster on loopback) and docker-compose v1 (validates docker-compose.yml; no engine needed).
# Idempotent: installs only what is missing. Needs root (or sudo).
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Debian starts a cluster on install; the tests run their own, so stop the packaged one.
  $SUDO service postgresql stop >/dev/null 2>&1 || true
fi
echo "system dependencies present: $(ls -d /usr/lib/postgresql/*/bin | head -1), $(docker-compose version --short 2>/dev/null)"
