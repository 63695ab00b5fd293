#!/usr/bin/env bash
# The test command (npm test): installs what is missing, builds, builds the bundled guest
# (cached in .cache/guest), then runs the unit tests and the real-guest tests one file at
# a time (each TCG guest wants a core of its own; tap config in package.json).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.json
bash scripts/build-guest.sh
bash scripts/build-guest.sh arm64 # the linux_arm64 test's guest (qemu-system-arm, an arm64 kernel, a cross gcc)
exec npx tap "$@" dist/test/unit/*.test.js dist/test/integration/*.test.js
