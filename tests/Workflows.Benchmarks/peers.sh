#!/usr/bin/env bash
# n8n, Node-RED and our engine on the same workflow, in one sitting, with the shared harness.
# Usage: bash tests/Workflows.Benchmarks/peers.sh   (env: DURATION, LEVELS, WARMUP as run.sh takes them)
set -euo pipefail
# Every peer gets the same warm-up: .NET's tiered JIT, like V8's, reaches its optimised code only
# after some seconds of load, and the comparison is of servers in their steady state.
export WARMUP=${WARMUP:-30}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
harness="$root/../shared/bench/peers"
export PEERS_DIR=${PEERS_DIR:-${TMPDIR:-/tmp}/peers}   # where the harness installs the peers by default
[ -d "$PEERS_DIR/n8n" ] || bash "$harness/install.sh"
dotnet build -c Release "$root/tests/Workflows.Benchmarks" -v q -nologo
bench="$root/tests/Workflows.Benchmarks/bin/Release/net10.0/Workflows.Benchmarks.dll"
dotnet "$bench" peers --dir "$PEERS_DIR/workflows" --port 5098
(set -a; source "$PEERS_DIR/workflows/peer.env"; set +a; bash "$harness/run.sh" custom)
bash "$harness/run.sh" n8n
bash "$harness/run.sh" node-red
