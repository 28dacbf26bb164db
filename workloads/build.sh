#!/usr/bin/env bash
# Compile every workloads/*.c to OUT_DIR/NAME.wasm (wasm32-wasi, -O2).
# Usage: workloads/build.sh OUT_DIR
# Set CLANG to use a compiler other than `clang`.
set -euo pipefail

if [ "$#" -ne 1 ]; then
    echo "usage: $0 OUT_DIR" >&2
    exit 2
fi
out_dir=$1
src_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
clang=${CLANG:-clang}
install_hint="install it with: apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32"

if ! command -v "$clang" >/dev/null 2>&1; then
    echo "error: '$clang' not found; $install_hint" >&2
    exit 1
fi

mkdir -p "$out_dir"

# Probe that the wasm32-wasi target works (sysroot, builtins and wasm-ld).
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
printf '#include <stdio.h>\n#include <math.h>\nint main(void) { printf("%%f\\n", sqrt(2.0)); return 0; }\n' \
    > "$probe_dir/probe.c"
if ! "$clang" --target=wasm32-wasi -O2 "$probe_dir/probe.c" -o "$probe_dir/probe.wasm" -lm \
        > "$probe_dir/probe.log" 2>&1; then
    echo "error: '$clang --target=wasm32-wasi' cannot build a C program; the wasm32-wasi" >&2
    echo "sysroot (wasi-libc), wasm builtins or wasm-ld (lld) are probably missing." >&2
    echo "$install_hint" >&2
    echo "compiler output:" >&2
    sed 's/^/  /' "$probe_dir/probe.log" >&2
    exit 1
fi

shopt -s nullglob
sources=("$src_dir"/*.c)
if [ "${#sources[@]}" -eq 0 ]; then
    echo "error: no .c files in $src_dir" >&2
    exit 1
fi
for src in "${sources[@]}"; do
    name=$(basename "$src" .c)
    echo "building $out_dir/$name.wasm"
    # --strip-debug drops the DWARF sections that wasi-libc's objects carry
    # (about 75% of the file); the "name" section is kept.
    "$clang" --target=wasm32-wasi -O2 -std=c11 -Wall -Wextra -Werror \
        -Wl,--strip-debug "$src" -o "$out_dir/$name.wasm" -lm
done
