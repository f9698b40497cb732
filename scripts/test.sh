#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs dependencies, makes sure Postgres, Redis and
# nginx are there, builds, then runs unit and e2e tests. Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi
bash scripts/ensure-services.sh
npm run build
# The build skips specs and test/: type-check them too (src/gateway/web-protocol.spec.ts holds the web client to the protocol).
npm run typecheck
# Type-aware lint: unhandled promises are where a chat server loses messages.
npm run lint
mkdir -p test-results

status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@" || status=$?

# One plain closing line that any CI reads: "N passed, N failed".
if [ -f test-results/vitest.json ]; then
  node -e '
    const r = require("./test-results/vitest.json");
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
  '
fi
exit $status
