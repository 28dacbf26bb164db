#!/usr/bin/env bash
# The main job: a whole dispute on an embedded arbiter (`refute demo`), then
# the pieces by hand: run a C workload in the deterministic engine, commit to
# its states, prove and verify one step.
# The first run builds RocksDB's C++ (about 15 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --release --locked --bin refute
bash workloads/build.sh "$CARGO_TARGET_DIR/workloads" >/dev/null
refute="$CARGO_TARGET_DIR/release/refute"
wasm="$CARGO_TARGET_DIR/workloads/sha256.wasm"
echo "\$ refute demo --transcript-dir demo   # a lying solver, an honest challenger, an embedded arbiter"
"$refute" demo "$CARGO_TARGET_DIR/workloads/sort.wasm" sort 10 --transcript-dir "$CARGO_TARGET_DIR/demo"
echo
echo "\$ refute trace verify demo/game-0.bin --module sort.wasm   # the game re-checked offline from its transcript"
"$refute" trace verify "$CARGO_TARGET_DIR/demo/game-0.bin" --module "$CARGO_TARGET_DIR/workloads/sort.wasm"
echo
echo "\$ refute run sha256.wasm 2000"
"$refute" run "$wasm" 2000
echo
echo "\$ refute run sha256.wasm - --stdin abc.txt --json     # abc.txt holds \"abc\""
printf abc > "$CARGO_TARGET_DIR/abc.txt"
"$refute" run "$wasm" - --stdin "$CARGO_TARGET_DIR/abc.txt" --json
echo
echo "\$ refute run interp.wasm 10 --json                       # every run counts the same steps"
"$refute" run "$CARGO_TARGET_DIR/workloads/interp.wasm" 10 --json
echo
echo "\$ refute run interp.wasm 10 --max-steps 1000 --json      # the step limit is a status, not a crash"
"$refute" run "$CARGO_TARGET_DIR/workloads/interp.wasm" 10 --max-steps 1000 --json || echo "(exit code $?: out of steps)"
echo
echo "\$ refute commit sha256.wasm 2000                         # the posted commitment: final state root, history root"
"$refute" commit "$wasm" 2000
echo
echo "\$ refute prove sha256.wasm 2000 --step 45000000 --out step.proof   # one step, proven from its state"
"$refute" prove "$wasm" 2000 --step 45000000 --out "$CARGO_TARGET_DIR/step.proof"
echo
echo "\$ refute verify-step step.proof --pre <that pre root>     # what the arbiter runs: one step, no program run"
pre=$("$refute" state "$wasm" 2000 --step 45000000)
"$refute" verify-step "$CARGO_TARGET_DIR/step.proof" --pre "$pre"
