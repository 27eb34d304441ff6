#!/usr/bin/env bash
# Issue 17's bf16 training speed: `nabla bench gpt --precision fp32|bf16` alternated in one session (the order swapped
# every pair, so drift of the host's speed hits both), one line per pair (bf16/fp32, fp32 and bf16 tokens/s, peak RSS
# MB of each) and the median ratio.
#   bash bench/bf16-speed.sh [PAIRS=8] [STEPS=300]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/tool.sh
pairs=${1:-8}; steps=${2:-300}
ratios=()
for i in $(seq 1 "$pairs"); do
  if [ $((i % 2)) = 0 ]; then order=(bf16 fp32); else order=(fp32 bf16); fi
  declare -A row
  for p in "${order[@]}"; do row[$p]=$(nabla bench gpt --steps "$steps" --precision "$p" --json | head -1); done
  line=$(python3 -c 'import json,sys; f=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); t="tokens_per_s"; m="peak_rss_mb"; print("%.3f %.0f %.0f %.0f %.0f" % (b[t]/f[t], f[t], b[t], f[m], b[m]))' "${row[fp32]}" "${row[bf16]}")
  echo "pair $i ($(cut -d' ' -f1 /proc/loadavg)): bf16/fp32 $line"
  ratios+=("${line%% *}")
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {printf "median bf16/fp32 %.3f over %d pairs\n", (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2), NR}'
