#!/bin/sh
# Rebuilds the WASI test programs and checks them under Node's WASI. Dev only: the tests use the
# committed .wasm and .expected files and need none of these tools.
#
# Tools (Debian 12 packages):
#   clang 14.0.6, lld 14 (wasm-ld), wasi-libc 0.0~git20220510.9886d3d-2,
#     libclang-rt-14-dev-wasm32           (apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32)
#   rustc 1.63.0 (/usr/bin/rustc), libstd-rust-dev-wasm32 1.63.0+dfsg1-2
#                                          (apt-get install -y rustc libstd-rust-dev-wasm32)
#   node v20 (only for the check below)
#
# usage: ./build.sh          rebuild both .wasm files
#        ./build.sh check    rebuild, run both under Node and diff against the .expected files
set -eu
cd "$(dirname "$0")"

# C over wasi-libc; debug info stripped (Debian's libc objects carry DWARF), name section kept.
clang --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -Werror -Wl,--strip-debug \
    -o wasi_walk.wasm wasi_walk.c
clang --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -Werror -Wl,--strip-debug \
    -o wasi_edges.wasm wasi_edges.c

# Rust std over WASI (a second libc); size-optimized, LTO, no unwinding, symbols stripped.
/usr/bin/rustc --edition 2021 --target wasm32-wasi -C opt-level=s -C lto -C codegen-units=1 \
    -C panic=abort -C strip=symbols -o wasi_walk_rs.wasm wasi_walk_rs.rs

ls -l wasi_walk.wasm wasi_edges.wasm wasi_walk_rs.wasm

if [ "${1:-}" = check ]; then
    # Same arguments as WasiProgramTests.cs. Node's WASI (uvwasi) differs from the spec on some
    # lines of wasi_walk's and wasi_edges' output (see README.md); they show up in these diffs.
    set +e
    node --experimental-wasi-unstable-preview1 --no-warnings run-node.mjs wasi_walk.wasm stdin.txt \
        wasi_walk /sandbox 7 extra "two words" > /tmp/wasi_walk.node.out
    echo "wasi_walk exit $? (expected 7)"
    diff wasi_walk.expected /tmp/wasi_walk.node.out
    node --experimental-wasi-unstable-preview1 --no-warnings run-node.mjs --with-ro wasi_edges.wasm /dev/null \
        wasi_edges /sandbox /ro > /tmp/wasi_edges.node.out
    echo "wasi_edges exit $? (expected 0)"
    diff wasi_edges.expected /tmp/wasi_edges.node.out
    node --experimental-wasi-unstable-preview1 --no-warnings run-node.mjs wasi_walk_rs.wasm stdin.txt \
        wasi_walk_rs /sandbox 3 "α β" > /tmp/wasi_walk_rs.node.out
    echo "wasi_walk_rs exit $? (expected 3)"
    diff wasi_walk_rs.expected /tmp/wasi_walk_rs.node.out && echo "wasi_walk_rs: Node matches"
fi
