#!/usr/bin/env bash
# npm run bench [-- --count N --big N --runs R --cases a,b,c,c2,d,e,f]: installs and builds what
# is missing (node modules, dist/, the x86_64 test guest, Debian's gdb), then runs
# bench/run.mjs. Results: a table on stdout, JSON in .cache/bench/results-<date>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
# tsc emits even when it reports type errors; a type error elsewhere in the tree (e.g. work
# in progress) should not stop a benchmark of the tracer, so say so and go on if dist/ is there.
if ! npx tsc -p tsconfig.json >&2; then
	[[ -f dist/src/cli/main.js ]] || exit 1
	echo "bench: warning: tsc reported errors (above); running with dist/ as emitted" >&2
fi
bash scripts/build-guest.sh >&2
if ! command -v gdb >/dev/null; then
	SUDO=()
	[[ $EUID -eq 0 ]] || SUDO=(sudo)
	echo "bench: installing gdb" >&2
	"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gdb >&2 ||
		{ "${SUDO[@]}" apt-get update -q >&2 && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gdb >&2; }
fi
# The tracer as built now, copied: the working tree may be shared, and a rebuild of dist/ by
# someone else during the run would otherwise change (or break) systrace between cases.
snap=.cache/bench/systrace
rm -rf "$snap"
mkdir -p "$snap"
cp -r bin dist profiles prototypes package.json "$snap"/
export BENCH_SYSTRACE=$snap/bin/systrace
exec node bench/run.mjs "$@"
