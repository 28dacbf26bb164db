#!/usr/bin/env bash
# Installs what refute needs on a fresh Debian machine: clang with the
# wasm32-wasi sysroot (to build the C workloads) and libclang (RocksDB's
# bindings are generated with it), and Chromium (the web view's screenshot
# test). Safe to run repeatedly.
set -euo pipefail
need=()
command -v clang >/dev/null 2>&1 || need+=(clang)
command -v wasm-ld >/dev/null 2>&1 || need+=(lld)
[ -f /usr/include/wasm32-wasi/stdio.h ] || need+=(wasi-libc)
ls /usr/lib/llvm-14/lib/clang/14*/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1 || need+=(libclang-rt-14-dev-wasm32)
ls /usr/lib/llvm-*/lib/libclang*.so* /usr/lib/x86_64-linux-gnu/libclang*.so* >/dev/null 2>&1 || need+=(libclang-dev)
command -v c++ >/dev/null 2>&1 || need+=(g++)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ "${#need[@]}" -gt 0 ]; then
    echo "setup: installing ${need[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -q >&2
    $sudo apt-get install -y -q clang lld wasi-libc libclang-rt-14-dev-wasm32 libclang-dev g++ chromium >&2
fi
command -v cargo >/dev/null 2>&1 || { echo "setup: cargo not found; install Rust 1.95.0 (rustup)" >&2; exit 1; }
