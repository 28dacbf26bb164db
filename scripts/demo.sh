#!/usr/bin/env bash
# The main job: a whole dispute on an embedded arbiter (`refute demo`), the
# same with real processes (an arbiter, a challenger bot, solvers posting an
# honest and a lying claim), then the pieces by hand: run a C workload in the
# deterministic engine, commit to its states, prove and verify one step.
# It builds everything it runs (scripts/build.sh, the build step it shares
# with scripts/test.sh: the first run builds RocksDB's C++, about 7 minutes on
# 2 cores, once for both commands).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
refute=$(scripts/build.sh)
wasm="$CARGO_TARGET_DIR/workloads/sha256.wasm"
echo "\$ refute demo --transcript-dir demo   # a lying solver, an honest challenger, an embedded arbiter"
"$refute" demo "$CARGO_TARGET_DIR/workloads/sort.wasm" sort 10 --transcript-dir "$CARGO_TARGET_DIR/demo"
echo
echo "\$ refute trace verify demo/game-0.bin --module sort.wasm   # the game re-checked offline from its transcript"
"$refute" trace verify "$CARGO_TARGET_DIR/demo/game-0.bin" --module "$CARGO_TARGET_DIR/workloads/sort.wasm"
echo
echo "# A local network of real processes: an arbiter, a challenger bot (bob), a solver (alice)."
net="$CARGO_TARGET_DIR/demo-net"
rm -rf "$net" && mkdir -p "$net"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
echo "\$ refute arbiter serve --window-ms 3000 --clock-ms 60000 &"
"$refute" arbiter serve --listen 127.0.0.1:0 --data-dir "$net/arbiter" --window-ms 3000 --clock-ms 60000 \
    >"$net/arbiter.out" 2>"$net/arbiter.log" &
pids+=($!)
for _ in $(seq 100); do grep -q "listening on" "$net/arbiter.out" 2>/dev/null && break; sleep 0.1; done
export REFUTE_ARBITER=$(sed -n 's/^listening on //p' "$net/arbiter.out")
echo "(listening on $REFUTE_ARBITER; its web view is at $REFUTE_ARBITER/)"
export RUST_LOG=warn
for who in alice bob; do
    echo "\$ refute keys new --key $who.key && refute account --key $who.key --mint 100000"
    "$refute" keys new --key "$net/$who.key" 2>/dev/null >/dev/null
    "$refute" account --key "$net/$who.key" --mint 100000 | head -2
done
echo "\$ refute challenger run --key bob.key &              # checks every claim, challenges wrong ones"
"$refute" challenger run --key "$net/bob.key" --data-dir "$net/bob" 2>"$net/bob.log" &
pids+=($!)
sort_wasm="$CARGO_TARGET_DIR/workloads/sort.wasm"
echo "\$ refute post sort.wasm 10 --bond 5000 --key alice.key   # honest: defended until final"
"$refute" post "$sort_wasm" 10 --bond 5000 --max-steps 100000 --key "$net/alice.key" --data-dir "$net/alice"
echo "\$ refute post sort.wasm 10 --bond 5000 --key alice.key --lie-output   # TEST ONLY: a lie about the output"
"$refute" post "$sort_wasm" 10 --bond 5000 --max-steps 100000 --key "$net/alice.key" --data-dir "$net/alice" \
    --lie-output || echo "(exit code $?: the lying claim was rejected)"
echo "\$ refute claims"
"$refute" claims
echo "\$ refute games"
"$refute" games
echo "\$ refute trace show --game 0 | tail -3                 # the dispute, checked from the arbiter's signed log"
"$refute" trace show --game 0 --arbiter "$REFUTE_ARBITER" | tail -3
unset RUST_LOG
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
