#!/usr/bin/env bash
# npm run demo: builds the bundled x86_64 guest the first time, boots it under systrace and
# prints the trace of its test program (strace text on stderr, the guest console on stdout).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.json
bash scripts/build-guest.sh >&2
g=.cache/guest/x86_64
mapfile -t args < "$g/qemu-args"
exec node bin/systrace run --symbols "$g/kallsyms" --btf "$g/btf" "$@" -- qemu-system-x86_64 "${args[@]}"
