#!/usr/bin/env bash
# Installs what refute needs on a fresh Debian machine: clang with the
# wasm32-wasi sysroot (to build the C workloads) and libclang (RocksDB's
# bindings are generated with it), Chromium (the web view's screenshot
# test), and schemathesis in a Python virtualenv (tests/api_schema.rs checks
# the arbiter against its OpenAPI document with it). Safe to run repeatedly.
set -euo pipefail
# The one pin of schemathesis (tests/api_schema.rs reads it from here).
schemathesis_version=4.32.5
venv="${REFUTE_VENV:-$HOME/.cache/refute-venv}"
need=()
command -v clang >/dev/null 2>&1 || need+=(clang)
command -v wasm-ld >/dev/null 2>&1 || need+=(lld)
[ -f /usr/include/wasm32-wasi/stdio.h ] || need+=(wasi-libc)
ls /usr/lib/llvm-14/lib/clang/14*/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1 || need+=(libclang-rt-14-dev-wasm32)
ls /usr/lib/llvm-*/lib/libclang*.so* /usr/lib/x86_64-linux-gnu/libclang*.so* >/dev/null 2>&1 || need+=(libclang-dev)
command -v c++ >/dev/null 2>&1 || need+=(g++)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need+=(python3 python3-venv)
if [ "${#need[@]}" -gt 0 ]; then
    echo "setup: installing ${need[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -q >&2
    $sudo apt-get install -y -q clang lld wasi-libc libclang-rt-14-dev-wasm32 libclang-dev g++ chromium \
        python3 python3-venv >&2
fi
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -qx "schemathesis, version $schemathesis_version"; then
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
        { echo "setup: schemathesis $schemathesis_version needs Python 3.11 or later; python3 is $(python3 -V)" >&2; exit 1; }
    echo "setup: installing schemathesis==$schemathesis_version in $venv" >&2
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install -q "schemathesis==$schemathesis_version" >&2
fi
command -v cargo >/dev/null 2>&1 || { echo "setup: cargo not found; install Rust 1.95.0 (rustup)" >&2; exit 1; }
