#!/usr/bin/env bash
# Every test: formatting, lints, unit tests, the WebAssembly spec suite,
# the differential test against wasmi, the C workloads and the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --locked --quiet
cargo test --workspace --locked
