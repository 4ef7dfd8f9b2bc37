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

# The designer: dependencies and unit tests (vitest).
( cd designer && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; } \
  && npx vitest run --reporter=default --reporter=json --outputFile="$results/vitest.json" ) | tail -n 15
designer_status=${PIPESTATUS[0]}

# The .NET suite: the real server on Kestrel + SQLite files, fake vendor services, headless Chromium.
dotnet test Workflows.sln --logger "trx;LogFileName=dotnet.trx" --results-directory "$results" "$@" 2>&1 \
  | grep -vE '^\s*$' | tail -n 40
dotnet_status=${PIPESTATUS[0]}

python3 - "$results" <<'PY'
import json, os, sys, glob, xml.etree.ElementTree as ET
results = sys.argv[1]
passed = failed = skipped = 0
for trx in glob.glob(os.path.join(results, "**", "*.trx"), recursive=True):
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
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
summary_status=$?
if [ "$dotnet_status" -ne 0 ] || [ "$designer_status" -ne 0 ] || [ "$summary_status" -ne 0 ]; then exit 1; fi
