#!/usr/bin/env bash
# Start-up time of a whole process running ../shared/bench/wasm/empty.wasm (main returns 0):
# `wasmkiln run` (JIT build and ReadyToRun publish) against the harness's runners
# (`--startup-runner`: Wasmtime, and WasmKiln through the same public-API code path, JIT and ReadyToRun). Uses hyperfine when installed
# (apt-get install -y hyperfine), else a timed loop reporting the median.
# Usage: bench/startup.sh [RUNS]          (run from anywhere; builds into bench/out/startup)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
bench_dir=${WASMKILN_BENCH:-../shared/bench}
empty=$(realpath "$bench_dir/wasm/empty.wasm")
out=bench/out/startup
mkdir -p "$out"

echo "building (Release, JIT) and publishing (ReadyToRun) the CLI and the bench runner..." >&2
dotnet build src/WasmKiln.Cli -c Release >/dev/null
dotnet build bench -c Release >/dev/null
dotnet publish src/WasmKiln.Cli -c Release -o "$out/cli-r2r" -p:PublishReadyToRun=true -r linux-x64 --self-contained false >/dev/null
dotnet publish bench -c Release -o "$out/wt-r2r" -p:PublishReadyToRun=true -r linux-x64 --self-contained false >/dev/null
jit_cli=src/WasmKiln.Cli/bin/Release/net10.0/WasmKiln.Cli
jit_bench=bench/bin/Release/net10.0/WasmKiln.Bench

names=() cmds=()
add() { # NAME COMMAND...: keep the command when it runs empty.wasm with exit code 0
    local name=$1; shift
    if "$@" >/dev/null 2>"$out/err.txt"; then
        names+=("$name"); cmds+=("$*")
    else
        echo "skipping $name: '$*' failed: $(head -c 300 "$out/err.txt")" >&2
    fi
}
add "wasmkiln run (JIT)" "$jit_cli" run "$empty"
add "wasmkiln run (ReadyToRun)" "$out/cli-r2r/WasmKiln.Cli" run "$empty"
add "Wasmtime C# runner (JIT)" "$jit_bench" --startup-runner "$empty"
add "Wasmtime C# runner (ReadyToRun)" "$out/wt-r2r/WasmKiln.Bench" --startup-runner "$empty"
add "WasmKiln API runner (JIT)" "$jit_bench" --startup-runner --engine kiln "$empty"
add "WasmKiln API runner (ReadyToRun)" "$out/wt-r2r/WasmKiln.Bench" --startup-runner --engine kiln "$empty"
add "dotnet host floor: --help of the runner" "$out/wt-r2r/WasmKiln.Bench" --help
[ ${#cmds[@]} -gt 0 ] || { echo "nothing to measure" >&2; exit 1; }

if command -v hyperfine >/dev/null; then
    args=()
    for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
    hyperfine -N --warmup 3 --runs "$runs" --export-markdown "$out/startup.md" "${args[@]}" >&2
    cat "$out/startup.md"
else
    echo "| command | median ms |"
    echo "| --- | ---: |"
    for i in "${!cmds[@]}"; do
        times=()
        for ((r = 0; r < runs; r++)); do
            t0=$(date +%s%N); ${cmds[$i]} >/dev/null 2>&1; t1=$(date +%s%N)
            times+=($(( (t1 - t0) / 1000 )))
        done
        median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m = NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1000}')
        echo "| ${names[$i]} | $median |"
    done
fi
