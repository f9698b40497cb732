#!/usr/bin/env bash
# Runs the server from a fresh clone: installs dependencies if needed, builds, starts.
# With no DATABASE_URL / REDIS_URL it runs on an embedded Postgres and an in-process bus.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi
npm run build
exec node dist/main.js
