#!/usr/bin/env bash
# Times the kernel cases (bench/Nabla.Bench/KernelCases.cs) in Nabla and in PyTorch (bench/pytorch/kernels.py), case by
# case alternately in one session, and prints a Markdown table with both medians and their ratio.
#   bash bench/kernels.sh [CASE ...]      (default: all cases)
# Needs Debian's python3-torch and libopenblas0-pthread. Nabla runs on its default threads (all cores); PyTorch runs
# each case with its intra-op threads at 1 and at 2 (OpenBLAS at 2) and reports the faster.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet build -c Release bench/Nabla.Bench >/dev/null
nabla() { dotnet bench/Nabla.Bench/bin/Release/net10.0/Nabla.Bench.dll kernels "$@"; }
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
  mapfile -t cases < <(dotnet bench/Nabla.Bench/bin/Release/net10.0/Nabla.Bench.dll kernels --list)
fi
for c in "${cases[@]}"; do
  nabla "$c" >>"$out/rows.jsonl"
  OPENBLAS_NUM_THREADS=2 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/pytorch/kernels.py "$c" >>"$out/rows.jsonl"
done
python3 - "$out/rows.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print("| case | Nabla µs | PyTorch µs (threads) | Nabla / PyTorch time |")
print("|---|---:|---:|---:|")
for r in rows:
    if r["impl"] != "nabla":
        continue
    t = next(x for x in rows if x["impl"] == "pytorch" and x["case"] == r["case"])
    print(f"| {r['case']} | {r['us']:.1f} | {t['us']:.1f} ({t['threads']}) | {r['us'] / t['us']:.2f} |")
PY
