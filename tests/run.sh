#!/usr/bin/env bash
# The whole test suite: installs what it needs, runs the .NET tests (engine, server, browser)
# and the designer's unit tests, and ends with one line "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
results="$root/tests/results"
rm -rf "$results" && mkdir -p "$results"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

# Headless Chromium for the designer's browser tests (Debian's package; nothing is downloaded by the test tools).
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null; then
  echo "Installing chromium for the browser tests..."
  (as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "warning: chromium could not be installed; browser tests will report it"
fi

# A private PostgreSQL for the tests that run on it: its own cluster in a temp folder on a free port,
# run as the postgres user, stopped when this script ends (even on failure). The tests read its
# connection string from WORKFLOWS_TEST_POSTGRES.
if ! command -v initdb >/dev/null && [ ! -x /usr/lib/postgresql/15/bin/initdb ] && command -v apt-get >/dev/null; then
  echo "Installing postgresql for the store tests..."
  (as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
    || echo "warning: postgresql could not be installed; the PostgreSQL tests will report it"
fi
pg_bin="$(dirname "$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -1)")"
if [ -x "$pg_bin/initdb" ]; then
  pg_dir="$(mktemp -d /tmp/workflows-pg.XXXXXX)"
  pg_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  as_pg() { if [ "$(id -u)" = 0 ]; then chown -R postgres "$pg_dir" && runuser -u postgres -- "$@"; else "$@"; fi; }
  stop_pg() { as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1; rm -rf "$pg_dir"; }
  trap stop_pg EXIT
  # fsync stays on: the tests check durability. Many connections: several servers per test run.
  if as_pg "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres -E UTF8 --no-sync >"$pg_dir/initdb.log" 2>&1 \
     && as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
          -o "-p $pg_port -c listen_addresses=127.0.0.1 -k $pg_dir -c max_connections=400 -c shared_buffers=128MB" start >/dev/null; then
    export WORKFLOWS_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
    echo "PostgreSQL for the tests on port $pg_port"
  else
    echo "warning: the private PostgreSQL did not start (see below); the PostgreSQL tests will report it"
    tail -n 20 "$pg_dir"/*.log
  fi
fi

# Formatting: the C# files' whitespace as .editorconfig says (`dotnet format whitespace Workflows.sln` fixes it).
dotnet format whitespace Workflows.sln --verify-no-changes > "$results/format.txt" 2>&1
format_status=$?
if [ "$format_status" -ne 0 ]; then echo "dotnet format found unformatted files (run: dotnet format whitespace Workflows.sln):"; grep -o '^[^(]*' "$results/format.txt" | sort -u | head -n 20; fi

# The designer: dependencies (again when package-lock.json changed), lint (ESLint, no warnings) and unit tests (vitest).
( cd designer && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; } \
  && npx vitest run --reporter=default --reporter=json --outputFile="$results/vitest.json" ) | tail -n 15
designer_status=${PIPESTATUS[0]}
( cd designer && npm run --silent lint ) > "$results/lint.txt" 2>&1
lint_status=$?
if [ "$lint_status" -ne 0 ]; then echo "designer lint (ESLint) failed:"; tail -n 30 "$results/lint.txt"; fi

# The .NET suite: the real server on Kestrel + SQLite files and the private PostgreSQL, fake vendor services, headless Chromium.
dotnet test Workflows.sln --logger "trx;LogFileName=dotnet.trx" --results-directory "$results" "$@" 2>&1 \
  | grep -vE '^\s*$' | tail -n 40
dotnet_status=${PIPESTATUS[0]}

python3 - "$results" "$lint_status" "$format_status" "$dotnet_status" <<'PY'
import json, os, sys, glob, xml.etree.ElementTree as ET
results, dotnet_status = sys.argv[1], int(sys.argv[4])
checks = {"designer lint (ESLint)": sys.argv[2], "dotnet format": sys.argv[3]}
passed = failed = skipped = 0
trxs = glob.glob(os.path.join(results, "**", "*.trx"), recursive=True)
for trx in trxs:
    for result in ET.parse(trx).getroot().iter("{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}UnitTestResult"):
        outcome = result.get("outcome", "")
        if outcome == "Passed": passed += 1
        elif outcome in ("NotExecuted", "Inconclusive", "Pending"): skipped += 1
        else: failed += 1
vitest = os.path.join(results, "vitest.json")
if os.path.exists(vitest):
    data = json.load(open(vitest))
    passed += data.get("numPassedTests", 0)
    failed += data.get("numFailedTests", 0)
    skipped += data.get("numPendingTests", 0) + data.get("numTodoTests", 0)
else:
    failed += 1
    print("designer unit tests did not run")
for name, status in checks.items():
    if status != "0":
        failed += 1
        print(f"{name} failed (counted as one failed test)")
# A suite that did not build (or crashed) leaves no results: it counts as a failure, never as a pass.
if not trxs or (dotnet_status != 0 and failed == 0):
    failed += 1
    print("the .NET suite failed without test results (did it build?)")
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
summary_status=$?
if [ "$dotnet_status" -ne 0 ] || [ "$designer_status" -ne 0 ] || [ "$lint_status" -ne 0 ] || [ "$format_status" -ne 0 ] || [ "$summary_status" -ne 0 ]; then exit 1; fi
