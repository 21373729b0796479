#!/bin/bash
# What one dispatched instruction costs: WasmKiln's interpreter running adds.wat against the same
# dispatch loop written in C (dispatch.c, clang -O2), both 660,000,000 dispatches; prints the
# user CPU time of each (median of 5) and ns per dispatch. WasmKiln's start-up is measured with an
# empty module and subtracted. Needs clang (or CC) and /usr/bin/time.
# Usage: bench/dispatch/run.sh [path/to/WasmKiln.Cli]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cli=${1:-$root/src/WasmKiln.Cli/bin/Release/net10.0/WasmKiln.Cli}
[ -x "$cli" ] || { echo "build the CLI first: dotnet build -c Release src/WasmKiln.Cli" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
${CC:-clang} -O2 -o "$out/dispatch" "$here/dispatch.c"
printf '(module (memory (export "memory") 1) (func (export "_start")))\n' > "$out/empty.wat"
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
user() { for _ in 1 2 3 4 5; do /usr/bin/time -f %U "$@" 2>&1 >/dev/null | tail -1; done | median; }
c=$(user "$out/dispatch")
k=$(user "$cli" run --engine interpreter "$here/adds.wat")
e=$(user "$cli" run --engine interpreter "$out/empty.wat")
awk -v c="$c" -v k="$k" -v e="$e" 'BEGIN {
  n = 660000000
  printf "C function-pointer loop      %6.2f s  %5.2f ns/dispatch\n", c, c * 1e9 / n
  printf "WasmKiln interpreter         %6.2f s  %5.2f ns/dispatch (start-up %.2f s subtracted)\n", k, (k - e) * 1e9 / n, e
}'
