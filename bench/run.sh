#!/usr/bin/env bash
# npm run bench [-- --count N --big N --runs R --cases a,b,c,c2,d,e]: installs and builds what
# is missing (node modules, dist/, the x86_64 test guest, Debian's gdb), then runs
# bench/run.mjs. Results: a table on stdout, JSON in .cache/bench/results-<date>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.json
bash scripts/build-guest.sh >&2
if ! command -v gdb >/dev/null; then
	SUDO=()
	[[ $EUID -eq 0 ]] || SUDO=(sudo)
	echo "bench: installing gdb" >&2
	"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gdb >&2 ||
		{ "${SUDO[@]}" apt-get update -q >&2 && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gdb >&2; }
fi
exec node bench/run.mjs "$@"
