#!/usr/bin/env bash
# Builds the bench corpus natively (x86-64, `clang -O2 ... -lm`, the flags of the corpus's own
# build.sh and PEERS.md) so that the harness's `native` engine can time it:
#   dotnet run -c Release --project bench -- --all --engine native,kiln
# Then runs every program once with its smoke work count and compares the printed line with the
# corpus README's expected line. Exit code 1 when a build fails or a line differs.
#
# Usage: bench/build-native.sh [OUT_DIR]     (run from anywhere)
#   OUT_DIR         default bench/native-bin (ignored by git); the harness looks there unless
#                   given --native-dir DIR or $WASMKILN_NATIVE_BIN
#   CC=gcc          another compiler (default clang; gcc when clang is absent)
#   NATIVE_CFLAGS   extra flags, e.g. "-fno-vectorize -fno-slp-vectorize" (matmul without SSE2
#                   auto-vectorization, see the corpus README); use another OUT_DIR for such builds
#   WASMKILN_BENCH  the corpus (default ../shared/bench beside the repository)
# The sources are read in place from the corpus; nothing is copied into the repository.
# sort_mem's wasm build adds -mbulk-memory (a wasm-only flag); natively every program uses the same flags.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${WASMKILN_BENCH:-$repo/../shared/bench}"
[[ -f "$corpus/README.md" && -d "$corpus/src" ]] || { echo "bench corpus not found at $corpus (set WASMKILN_BENCH)" >&2; exit 2; }
corpus="$(cd "$corpus" && pwd)"
out="${1:-$repo/bench/native-bin}"

if [[ -z "${CC:-}" ]]; then
    if command -v clang >/dev/null; then CC=clang
    elif command -v gcc >/dev/null; then CC=gcc; echo "clang not found, using gcc (apt-get install -y clang for the corpus's compiler)" >&2
    else echo "no C compiler: apt-get install -y clang" >&2; exit 2
    fi
fi
# shellcheck disable=SC2206
flags=(-O2 ${NATIVE_CFLAGS:-})
mkdir -p "$out"
out="$(cd "$out" && pwd)"
version="$("$CC" --version | head -n 1)"
echo "compiler: $version; flags: ${flags[*]} ... -lm; output: $out"

status=0
names=()
for src in "$corpus"/src/*.c; do
    name="$(basename "$src" .c)"
    if "$CC" "${flags[@]}" -o "$out/$name" "$src" -lm; then
        names+=("$name")
    else
        echo "FAIL: $name did not build" >&2
        status=1
    fi
done
# What the harness prints under its table.
printf '%s %s\n' "$version;" "${flags[*]} -lm" > "$out/BUILD-INFO"

# Smoke check. Arguments come from the README line `Smoke (`sha256 3`, `nbody 10000`, ...):`,
# expected lines from the fenced block after it (each starts with the program's name).
readme="$corpus/README.md"
smoke_header="$(grep -m1 '^Smoke (' "$readme")"
declare -A smoke_arg expected
while read -r n a; do smoke_arg[$n]=$a; done < <(grep -o '`[A-Za-z0-9_]* [0-9]*`' <<<"$smoke_header" | tr -d '`')
while read -r line; do expected[${line%% *}]=$line; done < <(awk '/^Smoke \(/{f=1; next} f && /^```/{n++; if (n==2) exit; next} f && n==1' "$readme")

for name in "${names[@]}"; do
    if [[ -n "${smoke_arg[$name]:-}" ]]; then
        want="${expected[$name]:-}"
        start=$(date +%s%N)
        got="$("$out/$name" "${smoke_arg[$name]}")" && rc=0 || rc=$?
        ms=$(( ($(date +%s%N) - start) / 1000000 ))
        if [[ $rc -eq 0 && "$got" == "$want" ]]; then
            echo "ok   $name ${smoke_arg[$name]} (${ms} ms): $got"
        else
            echo "FAIL $name ${smoke_arg[$name]}: exit $rc, printed '$got', expected '$want'" >&2
            status=1
        fi
    else
        # Programs without a work count (empty): the README says they print nothing and exit 0.
        got="$("$out/$name")" && rc=0 || rc=$?
        if [[ $rc -eq 0 && -z "$got" ]]; then
            echo "ok   $name (no argument): prints nothing, exit 0"
        else
            echo "FAIL $name: exit $rc, printed '$got', expected nothing" >&2
            status=1
        fi
    fi
done
exit $status
