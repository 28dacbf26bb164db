#!/usr/bin/env bash
# The one build step both README commands share: installs what is missing
# (scripts/setup.sh), then builds the `refute` binary and every example
# program, compiles the C workloads and the Solidity contracts. `--bins --examples` resolves
# features as `cargo test` and `cargo clippy --all-targets` do (dev-dependencies
# included), so the three share one build of RocksDB's C++ (about 7 minutes
# on 2 cores the first time) instead of each building their own.
# Prints the path of the refute binary on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >&2
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
# The contracts first: refute-chain's tests and `refute verify-step --evm`
# read contracts/out.
bash contracts/build.sh >&2
cargo build --locked --workspace --bins --examples >&2
bash workloads/build.sh "$CARGO_TARGET_DIR/workloads" >/dev/null
refute="$CARGO_TARGET_DIR/debug/refute"
[ -x "$refute" ] || { echo "build: $refute was not built" >&2; exit 1; }
echo "$refute"
