#!/usr/bin/env bash
# Every test: formatting, lints, unit tests, the WebAssembly spec suite,
# the differential test against wasmi, the C workloads and the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
# Documentation of the pure engine. (The arbiter's is not built here: without
# dev-dependencies cargo resolves other features and would rebuild RocksDB's
# C++, about 7 minutes on 2 cores.)
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p refute-engine --locked --quiet
cargo test --workspace --locked
