#!/usr/bin/env bash
# Every test: formatting, lints, unit tests, the WebAssembly spec suite,
# the differential test against wasmi, the C workloads and the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
# The build step the main job shares (setup, the binary, the examples, the C
# workloads): clippy and the tests below reuse it, RocksDB's C++ included.
scripts/build.sh >/dev/null
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
# Documentation of the crates that link no RocksDB: the engine, the protocol
# and the transcripts. (Documenting the others resolves features without
# dev-dependencies, another build of RocksDB's C++.)
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p refute-engine -p refute-protocol -p refute-traces --locked --quiet
cargo test --workspace --locked
