#!/usr/bin/env bash
# Builds refute's contracts into contracts/out with forge, offline: solc-js
# through ./solc, both from the npm packages that scripts/setup.sh installs
# here (package.json, package-lock.json). The Rust side (refute-chain) reads
# the compiled artifacts from contracts/out.
set -euo pipefail
cd "$(dirname "$0")"
forge=node_modules/.bin/forge
[ -x "$forge" ] || { echo "contracts/build.sh: $forge is missing: run scripts/setup.sh (it runs npm ci in contracts/)" >&2; exit 1; }
"$forge" build --offline --quiet
