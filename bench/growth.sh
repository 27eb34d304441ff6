#!/usr/bin/env bash
# How cost grows with work, in one run: the time of a 1,000 / 10,000 / 100,000-op chain, training samples/s against
# batch size (32 to 512) for the mlp and cnn presets, and GEMM GFLOP/s against n. Prints Markdown tables.
#   bash bench/growth.sh [--quick]      (--quick: batch sizes 32 and 512 only)
# Needs dataset-fashion-mnist for the training rows.
set -euo pipefail
cd "$(dirname "$0")/.."
batches=(32 64 128 256 512)
[ "${1:-}" = "--quick" ] && batches=(32 512)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
source bench/tool.sh
for ops in 1000 10000 100000; do nabla bench overhead --ops "$ops" --json >>"$out/rows.jsonl"; done
for b in "${batches[@]}"; do
  nabla bench mlp --batch-size "$b" --json >>"$out/rows.jsonl"
  nabla bench cnn --batch-size "$b" --json >>"$out/rows.jsonl"
done
nabla bench gemm --json >>"$out/rows.jsonl"
python3 - "$out/rows.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print("| ops in the chain | forward µs/op | backward µs/op | forward total ms | backward total ms |")
print("|---:|---:|---:|---:|---:|")
for r in (r for r in rows if r["workload"] == "overhead"):
    n = r["ops"]
    print(f"| {n:,} | {r['fwd_us_per_op']:.3f} | {r['bwd_us_per_op']:.3f} | {r['fwd_us_per_op'] * n / 1000:.2f} | {r['bwd_us_per_op'] * n / 1000:.2f} |")
print()
print("| batch | `mlp` samples/s | `mlp` peak RSS MB | `cnn` samples/s | `cnn` peak RSS MB |")
print("|---:|---:|---:|---:|---:|")
for b in sorted({r["batch_size"] for r in rows if r["workload"] in ("mlp", "cnn")}):
    m = next(r for r in rows if r["workload"] == "mlp" and r["batch_size"] == b)
    c = next(r for r in rows if r["workload"] == "cnn" and r["batch_size"] == b)
    print(f"| {b} | {m['samples_per_s']:,.0f} | {m['peak_rss_mb']:.0f} | {c['samples_per_s']:,.0f} | {c['peak_rss_mb']:.0f} |")
print()
print("| GEMM (MxK)·(KxN) | GFLOP/s |")
print("|---|---:|")
for r in (r for r in rows if r["workload"] == "gemm"):
    print(f"| ({r['m']}x{r['k']})·({r['k']}x{r['n_cols']}) | {r['gflops']:.1f} |")
PY
