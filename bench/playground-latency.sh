#!/usr/bin/env bash
# First-interaction latency of `nabla playground`: starts the server, waits as a person opening the page would, then
# times creating a session and two one-epoch training steps through the HTTP API (curl). Runs ROUNDS alternating pairs
# with the background warm-up off and on (Note [Runtime policy of the tool] in src/Nabla.Cli/RuntimePolicy.cs).
#   bash bench/playground-latency.sh [ROUNDS] [WAIT_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
wait_s=${2:-3}
port=5199
source bench/tool.sh
trap 'pkill -f "playground --port $port" || true' EXIT
seconds() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$2"; }
post() { curl -sf -X POST -H 'Content-Type: application/json' -d "$2" "http://127.0.0.1:$port$1"; }
echo "| warm-up | create session s | first step s | second step s |"
echo "|---|---:|---:|---:|"
for r in $(seq "$rounds"); do
  for w in off on; do
    NABLA_WARMUP=$w NABLA_JIT_PROFILES=off nabla playground --port "$port" >/dev/null 2>&1 &
    sleep "$wait_s"
    t0=$(date +%s.%N)
    id=$(post /api/sessions '{}' | python3 -c "import json, sys; print(json.load(sys.stdin)['id'])")
    t1=$(date +%s.%N)
    post "/api/sessions/$id/network/step" '{"epochs":1}' >/dev/null
    t2=$(date +%s.%N)
    post "/api/sessions/$id/network/step" '{"epochs":1}' >/dev/null
    t3=$(date +%s.%N)
    echo "| $w | $(seconds "$t0" "$t1") | $(seconds "$t1" "$t2") | $(seconds "$t2" "$t3") |"
    # nabla may be a shell function: stop the server process itself, and wait until the port is free again.
    pkill -f "playground --port $port" || true
    wait 2>/dev/null || true
  done
done
