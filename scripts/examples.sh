#!/usr/bin/env bash
# Regenerates traces/examples/: transcripts of real disputes on an embedded
# arbiter (RocksDB, the signed log, the rules), in both forms.
#  - sort-solver-lies, interp-solver-lies: `refute demo` on two C workloads
#    (a lying solver, an honest challenger, narrowed to one instruction);
#  - small-*: the scenario tests of arbiter/tests/scenarios.rs, one per way a
#    game ends (either side lying, both lying, a timeout, a cancelled game).
# `cargo test` (traces/tests/examples.rs) verifies every file here.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --locked --workspace --all-targets
bash workloads/build.sh "$CARGO_TARGET_DIR/workloads" >/dev/null
refute="$CARGO_TARGET_DIR/debug/refute"
out=traces/examples
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
demo() { # NAME WORKLOAD ARGS...
    local name=$1 wasm=$2
    shift 2
    "$refute" demo "$CARGO_TARGET_DIR/workloads/$wasm.wasm" "$@" --transcript-dir "$tmp/$name" >/dev/null
    mv "$tmp/$name/game-0.json" "$out/$name.json"
    mv "$tmp/$name/game-0.bin" "$out/$name.bin"
}
demo sort-solver-lies sort sort 10
demo interp-solver-lies interp interp 3
REFUTE_EXAMPLES_OUT="$PWD/$out" cargo test --locked --workspace --test scenarios -q
for f in "$out"/*.bin; do
    "$refute" trace verify "$f" >/dev/null
done
ls -l "$out"
