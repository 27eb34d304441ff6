"""PyTorch GEMM throughput on the shapes of `dotnet run -c Release --project bench/Nabla.Bench -- gemm`.

Run with the system Python and Debian's torch + OpenBLAS, letting OpenBLAS pick its own kernel:
    OPENBLAS_NUM_THREADS=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/pytorch/gemm.py
(OPENBLAS_NUM_THREADS=2 for two threads). Prints best-of-several wall time per product and GFLOP/s.
"""
import argparse
import ctypes
import os
import time

import torch

SHAPES = [(64, 64, 64), (128, 128, 128), (256, 256, 256), (512, 512, 512), (1024, 1024, 1024),
          (2048, 2048, 2048), (128, 512, 784), (128, 256, 512)]


def best_time(a, b, out, seconds):
    for _ in range(3):
        torch.matmul(a, b, out=out)
    best, runs, start = float("inf"), 0, time.perf_counter()
    while runs < 5 or time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        torch.matmul(a, b, out=out)
        best = min(best, time.perf_counter() - t0)
        runs += 1
    return best


def openblas_info():
    """The OpenBLAS build and kernel actually loaded (torch reports Debian's BLAS only as 'generic')."""
    torch.matmul(torch.ones(8, 8), torch.ones(8, 8))
    with open("/proc/self/maps") as maps:
        libs = sorted({line.split()[-1] for line in maps if "openblas" in line and line.split()[-1].endswith(".so")})
    if not libs:
        return "unknown"
    lib = ctypes.CDLL(libs[0])
    lib.openblas_get_config.restype = ctypes.c_char_p
    lib.openblas_get_corename.restype = ctypes.c_char_p
    return f"{lib.openblas_get_config().decode()} (kernel {lib.openblas_get_corename().decode()}, {lib.openblas_get_num_threads()} threads)"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dtype", default="f32", choices=["f32", "f64"])
    p.add_argument("--seconds", type=float, default=0.4)
    p.add_argument("--sizes", default="")
    p.add_argument("--tb", action="store_true", help="B is a transposed view (x @ w.T)")
    args = p.parse_args()
    torch.set_num_threads(1)
    dtype = torch.float32 if args.dtype == "f32" else torch.float64
    shapes = SHAPES
    if args.sizes:
        shapes = []
        for s in args.sizes.split(","):
            d = [int(v) for v in s.split("x")]
            shapes.append((d[0], d[0], d[0]) if len(d) == 1 else tuple(d))
    blas = openblas_info()
    print(f"# PyTorch {torch.__version__}, {args.dtype}, BLAS {blas}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}, torch threads {torch.get_num_threads()}, transB={args.tb}")
    print("shape (MxK)·(KxN)                 ms    GFLOP/s")
    g = torch.Generator().manual_seed(42)
    for m, n, k in shapes:
        a = torch.rand(m, k, generator=g, dtype=dtype) - 0.5
        b = (torch.rand(n, k, generator=g, dtype=dtype) - 0.5).T if args.tb else torch.rand(k, n, generator=g, dtype=dtype) - 0.5
        out = torch.empty(m, n, dtype=dtype)
        t = best_time(a, b, out, args.seconds)
        print(f"{f'({m}x{k})·({k}x{n})':30}{t * 1e3:9.3f} {2.0 * m * n * k / t / 1e9:9.1f}")


if __name__ == "__main__":
    main()
