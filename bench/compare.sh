#!/usr/bin/env bash
# Runs Nabla's and PyTorch's versions of the benchmark workloads alternately in one session and prints a
# Markdown table with both figures and their ratio.
#   bash bench/compare.sh [WORKLOAD ...]      (default: overhead scalar mlp cnn; also gpt: W7 and W8)
# Needs Debian's python3-torch and libopenblas0-pthread, and dataset-fashion-mnist for mlp/cnn.
# PyTorch runs with its own threads at 1 and OpenBLAS at 2 threads, its fastest set-up on this machine;
# OPENBLAS_CORETYPE/L2_SIZE are unset for that command only so OpenBLAS picks its AVX-512 kernel. Nabla runs from
# the ordinary build; NABLA_BENCH=published runs it as bench/publish.sh publishes it (about 2 minutes first).
set -euo pipefail
cd "$(dirname "$0")/.."
workloads=("$@")
[ ${#workloads[@]} -gt 0 ] || workloads=(overhead scalar mlp cnn)
out=$(mktemp -d)
source bench/tool.sh
for w in "${workloads[@]}"; do
  nabla bench "$w" --json >>"$out/rows.jsonl"
  script=bench/pytorch/workloads.py
  [ "$w" = gpt ] && script=bench/pytorch/gpt.py
  args=("$w")
  [ "$w" = gpt ] && args=()
  OPENBLAS_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 "$script" "${args[@]}" >>"$out/rows.jsonl"
done
python3 - "$out/rows.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
metrics = {"overhead": ["fwd_us_per_op", "bwd_us_per_op"], "scalar": ["seconds", "accuracy"],
           "mlp": ["samples_per_s", "test_acc", "peak_rss_mb"], "cnn": ["samples_per_s", "test_acc", "peak_rss_mb"],
           "gpt": ["tokens_per_s", "peak_rss_mb"]}
print("| workload | metric | Nabla | PyTorch | Nabla / PyTorch |")
print("|---|---|---:|---:|---:|")
for w, ms in metrics.items():
    keys = sorted({r.get("form", "") for r in rows if r["workload"] == w})
    for form in keys:
        ours = next((r for r in rows if r["workload"] == w and r["impl"] == "nabla" and r.get("form", "") == form), None)
        theirs = next((r for r in rows if r["workload"] == w and r["impl"] == "pytorch" and r.get("form", "") == form), None)
        if not ours or not theirs:
            continue
        for m in ms:
            a, b = ours[m], theirs[m]
            print(f"| {w}{' ' + form if form else ''} | {m} | {a:.4g} | {b:.4g} | {a / b if b else float('nan'):.3g} |")
for r in rows:
    if r["workload"] == "generate":
        print(f"| generate ({r['impl']}, {'cached' if r['cached'] else 'no cache'}) | tokens_per_s | {r['tokens_per_s']:.4g} | | |")
PY
rm -rf "$out"
