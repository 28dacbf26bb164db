#!/usr/bin/env bash
# Counts the machine instructions the engine and wasmi execute on the C
# workloads of `refute bench`, under valgrind's cachegrind: a measure that
# does not move with the machine's load, where `refute bench`'s times do
# (on a shared two-core VM the same run takes 80 ms or 150 ms). Also the
# indirect branches (one per dispatch) and cachegrind's simulated
# mispredictions of them. The instructions of a crate are those of its
# functions (`refute_engine::*`, `wasmi*`), each interpreter's load included.
#
#   scripts/instructions.sh [WORKLOAD...]     (default: sha256 sort float genetic interp)
#
# Takes about 45 s for the five C workloads. Not a test: a tool for comparing
# interpreter changes before and after (the README's `refute bench` paragraph).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v valgrind >/dev/null 2>&1; then
    echo "instructions: installing valgrind" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get install -y -q valgrind >&2
fi
target="${CARGO_TARGET_DIR:-target}"
cargo build --release --locked --bin refute >&2
bin="$target/release/refute"
[ "$#" -gt 0 ] || set -- sha256 sort float genetic interp
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
printf '%-9s %11s %14s %14s %6s %13s %13s %13s %13s\n' workload steps "engine instr" "wasmi instr" ratio "engine/step" "engine ind" "engine miss" "wasmi miss"
for w in "$@"; do
    valgrind --tool=cachegrind --cache-sim=no --branch-sim=yes --cachegrind-out-file="$out/$w.cg" \
        "$bin" bench --runs 1 --only "$w" >"$out/$w.txt" 2>"$out/$w.log" ||
        { echo "instructions: $w failed under valgrind (see below)" >&2; tail -5 "$out/$w.log" >&2; exit 1; }
    python3 - "$w" "$out/$w.cg" "$out/$w.txt" <<'EOF'
import sys
name, cg, table = sys.argv[1:4]
steps = next(int(l.split()[1]) for l in open(table) if l.split()[:1] == [name])
events, fn, tot = None, None, {"engine": [0] * 5, "wasmi": [0] * 5}
for line in open(cg):
    if line.startswith("events:"):
        events = line.split()[1:]
    elif line.startswith("fn="):
        fn = line[3:]
    elif line[:1].isdigit() and fn:
        k = "engine" if "refute_engine" in fn else "wasmi" if "wasmi" in fn else None
        if k:
            vals = [int(x) for x in line.split()[1:]]
            for i, v in enumerate(vals[:5]):
                tot[k][i] += v
assert events == ["Ir", "Bc", "Bcm", "Bi", "Bim"], events
e, o = tot["engine"], tot["wasmi"]
print(f"{name:<9} {steps:>11,} {e[0]:>14,} {o[0]:>14,} {e[0] / o[0]:>5.2f}x {e[0] / steps:>13.1f} "
      f"{e[3]:>13,} {e[4]:>13,} {o[4]:>13,}")
EOF
done
echo "(valgrind cachegrind; instructions of each crate's functions, loads included; ind: indirect branches; miss: simulated mispredictions)"
