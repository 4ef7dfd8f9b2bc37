#!/usr/bin/env bash
# Starts N engine nodes on one PostgreSQL database on this machine, on ports 5080, 5081, ...
#   engine/Workflows.Server/run-nodes.sh 3 "Host=127.0.0.1;Port=5432;Database=workflows;Username=workflows;Password=..."
# Extra arguments go to every node (e.g. --Workflows:Admin:ApiKey=KEY). Ctrl-C stops them all.
set -euo pipefail
count="${1:?usage: run-nodes.sh N CONNECTION_STRING [settings...]}"
connection="${2:?usage: run-nodes.sh N CONNECTION_STRING [settings...]}"
shift 2
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dotnet build "$here" -c Release -o "$here/bin/nodes" >/dev/null
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' INT TERM EXIT
for i in $(seq 0 $((count - 1))); do
  port=$((5080 + i))
  mkdir -p "$here/bin/nodes/node$i"
  # Each node needs only the shared connection string, a port and (optionally) a name for /health.
  (cd "$here/bin/nodes/node$i" && exec dotnet ../Workflows.Server.dll --urls "http://127.0.0.1:$port" \
     --Workflows:Store=postgres --Workflows:ConnectionString="$connection" --Workflows:NodeName="node$i" "$@") \
     >"$here/bin/nodes/node$i.log" 2>&1 &
  pids+=($!)
  echo "node$i: http://127.0.0.1:$port (log: $here/bin/nodes/node$i.log)"
  # The first node creates the schema; the others start once it is up.
  if [ "$i" = 0 ]; then
    until curl -sf "http://127.0.0.1:$port/health" >/dev/null; do sleep 0.5; done
  fi
done
wait
