"""Causal attention in PyTorch 1.13 (no SDPA there): softmax(Q K^T / sqrt(d) + causal mask) V, forward + backward.

Prints one JSON line like bench/Nabla.Bench/AttentionStopwatch.cs: median ms of the runs and the size of the
softmax output the graph saves ([B, H, T, T]). Run with the set-up of docs/benchmarks.md:
  OPENBLAS_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
      /usr/bin/python3 bench/pytorch/attention.py B H T E [float32|float64] [runs]
"""
import json
import math
import sys
import time

import torch

torch.set_num_threads(1)
args = sys.argv[1:]
b, h, t, e = (int(a) for a in args[:4]) if len(args) >= 4 else (16, 8, 256, 32)
dtype = torch.float64 if len(args) > 4 and args[4] == "float64" else torch.float32
runs = int(args[5]) if len(args) > 5 else 20
g = torch.Generator().manual_seed(1)
q, k, v = (torch.randn(b, h, t, e, dtype=dtype, generator=g).requires_grad_() for _ in range(3))
upstream = torch.randn(b, h, t, e, dtype=dtype, generator=g)
mask = torch.full((t, t), float("-inf"), dtype=dtype).triu(1)


def attention():
    scores = q @ k.transpose(-2, -1) / math.sqrt(e) + mask
    return torch.softmax(scores, dim=-1) @ v


times = []
for r in range(runs + 2):
    q.grad = k.grad = v.grad = None
    start = time.perf_counter()
    attention().backward(upstream)
    if r >= 2:
        times.append((time.perf_counter() - start) * 1e3)
times.sort()
print(json.dumps({"impl": "pytorch-composite", "shape": [b, h, t, e], "dtype": str(dtype).replace("torch.", ""),
                  "ms": round(times[len(times) // 2], 2), "saved_weights_mb": round(b * h * t * t * q.element_size() / 1e6, 2),
                  "threads": torch.get_num_threads()}))
