#!/usr/bin/env bash
# Makes sure the services the tests need are running on their standard ports, starting them
# the way our machines do when they are installed but stopped, and saying clearly what is
# missing otherwise. Exits non-zero if a required service cannot be had.
set -uo pipefail

missing=()

if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  :
elif command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  echo "PostgreSQL is stopped: starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -q -h 127.0.0.1 -p 5432 || missing+=("PostgreSQL on 127.0.0.1:5432 (it did not start)")
else
  missing+=("PostgreSQL on 127.0.0.1:5432 (install: apt-get install -y postgresql; trust auth for user postgres)")
fi

if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  :
elif command -v redis-server >/dev/null 2>&1; then
  echo "Redis is stopped: starting it"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.2; done
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || missing+=("Redis on 127.0.0.1:6379 (it did not start)")
else
  missing+=("Redis on 127.0.0.1:6379 (install: apt-get install -y redis-server)")
fi

# Installs a Debian package the tests need when it is missing and we may (root with apt-get);
# otherwise records what to install. $1: label, $2: Debian package, $3: present when true.
install_if_missing() {
  local label=$1 package=$2 present=$3
  eval "$present" && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "$label is not installed: installing it from Debian's packages"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null) ||
      missing+=("$label (apt-get install -y $package failed)")
  else
    missing+=("$label (install: apt-get install -y $package)")
  fi
}

# nginx: the multi-instance-behind-nginx test. Chromium: the web client's end-to-end test
# (playwright-core never downloads a browser).
install_if_missing nginx nginx 'command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]'
install_if_missing "Chromium at /usr/bin/chromium" chromium '[ -x /usr/bin/chromium ]'

if [ ${#missing[@]} -gt 0 ]; then
  echo "Missing what the tests need:" >&2
  for item in "${missing[@]}"; do echo "  - $item" >&2; done
  exit 1
fi
echo "Services ready: PostgreSQL 127.0.0.1:5432, Redis 127.0.0.1:6379, nginx $(/usr/sbin/nginx -v 2>&1 | sed 's/.*\///'), $(/usr/bin/chromium --version 2>/dev/null | head -1)"
