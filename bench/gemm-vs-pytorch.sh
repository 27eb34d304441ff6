#!/usr/bin/env bash
# Nabla GEMM against PyTorch (Debian's python3-torch on OpenBLAS) on the same shapes, run alternately
# ROUNDS times in one session; prints the best GFLOP/s of each and their ratio as a Markdown table.
#   bash bench/gemm-vs-pytorch.sh [ROUNDS] [extra args for both, e.g. --tb]
# Needs: apt-get install -y python3-torch libopenblas0-pthread
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
shift || true
out=$(mktemp -d)
dotnet build -c Release bench/Nabla.Bench >/dev/null
for r in $(seq "$rounds"); do
  dotnet run -c Release --no-build --project bench/Nabla.Bench -- gemm "$@" >"$out/nabla.$r"
  for t in 1 2; do
    # OPENBLAS_CORETYPE/L2_SIZE may be pinned on this machine for older OpenBLAS builds; unset them so
    # OpenBLAS picks its own kernel for this CPU.
    OPENBLAS_NUM_THREADS=$t env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/pytorch/gemm.py "$@" >"$out/torch.$t.$r"
  done
done
head -n 1 "$out/nabla.1"
head -n 1 "$out/torch.1.1"
python3 - "$out" "$rounds" <<'PY'
import sys, re, collections
out, rounds = sys.argv[1], int(sys.argv[2])
ours, theirs, order = collections.defaultdict(float), collections.defaultdict(float), []
for r in range(1, rounds + 1):
    for line in open(f"{out}/nabla.{r}"):
        m = re.match(r"(\(\S+\)·\(\S+\))\s+(\d+)\s+[\d.]+\s+([\d.]+)", line)
        if m:
            key = (m.group(1), int(m.group(2)))
            if key not in order: order.append(key)
            ours[key] = max(ours[key], float(m.group(3)))
    for t in (1, 2):
        for line in open(f"{out}/torch.{t}.{r}"):
            m = re.match(r"(\(\S+\)·\(\S+\))\s+[\d.]+\s+([\d.]+)", line)
            if m:
                theirs[(m.group(1), t)] = max(theirs[(m.group(1), t)], float(m.group(2)))
print(f"\nbest of {rounds} rounds, GFLOP/s\n")
print("| shape (MxK)·(KxN) | threads | Nabla | PyTorch | Nabla / PyTorch |")
print("|---|---:|---:|---:|---:|")
for key in order:
    o, t = ours[key], theirs.get(key, 0)
    print(f"| {key[0]} | {key[1]} | {o:.1f} | {t:.1f} | {o / t if t else float('nan'):.2f} |")
PY
rm -rf "$out"
