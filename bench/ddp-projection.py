#!/usr/bin/env python3
"""Projects the GPT preset's data-parallel throughput on N machines (docs/scale.md §3).

Model (stated, not fitted):
  * one machine computes a step of 12 x 64 = 768 tokens in t_step = 768 / tokens_per_s (default 9,300 tokens/s, the
    quiet two-core figure of `nabla bench gpt` in docs/benchmarks.md), of which backward is 2/3;
  * backward produces the gradient at a uniform rate, in reverse parameter order, filling DDP's buckets (the first
    capped at 1 MB, the others at --bucket-mb, default 25); a bucket is all-reduced once full, one ring at a time;
  * a ring all-reduce of b bytes on N machines takes 2(N-1) * alpha + 2(N-1)/N * b / B (B the link's bandwidth,
    alpha the per-message latency, default 25 us for TCP over Ethernet);
  * overlapped: step = forward + optimizer + max(backward, end of the last bucket's all-reduce);
    not overlapped: step = t_step + the all-reduces one after the other.
Prints tokens/s and the scaling efficiency (t_step / step) for N = 2 .. 256 and 10, 25, 100 Gb/s.
Pure Python; no dependency.
"""
import argparse


def buckets(grad_bytes, cap, first_cap=1 << 20):
    sizes, left = [], grad_bytes
    while left > 0:
        b = min(left, first_cap if not sizes else cap)
        sizes.append(b)
        left -= b
    return sizes


def ring_seconds(n, nbytes, bandwidth, alpha):
    return 2 * (n - 1) * alpha + 2 * (n - 1) / n * nbytes / bandwidth


def step_seconds(n, t_step, grad_bytes, cap, bandwidth, alpha, overlap):
    t_bwd = t_step * 2 / 3
    sizes = buckets(grad_bytes, cap)
    if not overlap:
        return t_step + sum(ring_seconds(n, b, bandwidth, alpha) for b in sizes)
    end, produced = 0.0, 0
    for b in sizes:
        produced += b
        ready = t_bwd * produced / grad_bytes
        end = max(ready, end) + ring_seconds(n, b, bandwidth, alpha)
    return t_step - t_bwd + max(t_bwd, end)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tokens-per-s", type=float, default=9300.0, help="one machine's training tokens/s")
    p.add_argument("--tokens-per-step", type=int, default=768, help="tokens per rank per step (12 x 64)")
    p.add_argument("--grad-mb", type=float, default=3.2164, help="gradient megabytes (float32; `nabla bench gpt-ddp`)")
    p.add_argument("--bucket-mb", type=float, default=25.0)
    p.add_argument("--alpha-us", type=float, default=25.0, help="latency per ring step, microseconds")
    a = p.parse_args()
    t_step = a.tokens_per_step / a.tokens_per_s
    grad = a.grad_mb * 1e6
    cap = a.bucket_mb * (1 << 20)
    print(f"one machine: {a.tokens_per_s:,.0f} tokens/s, {t_step * 1e3:.1f} ms/step, gradient {a.grad_mb} MB in "
          f"{len(buckets(grad, cap))} bucket(s), alpha {a.alpha_us} us")
    print("| machines | link | ring all-reduce ms | tokens/s overlapped | efficiency | tokens/s not overlapped | efficiency |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for gbps in (10, 25, 100):
        bw = gbps * 1e9 / 8
        for n in (2, 4, 8, 16, 32, 64, 128, 256):
            ar = sum(ring_seconds(n, b, bw, a.alpha_us * 1e-6) for b in buckets(grad, cap))
            s_o = step_seconds(n, t_step, grad, cap, bw, a.alpha_us * 1e-6, True)
            s_n = step_seconds(n, t_step, grad, cap, bw, a.alpha_us * 1e-6, False)
            print(f"| {n} | {gbps} Gb/s | {ar * 1e3:.2f} | {n * a.tokens_per_step / s_o:,.0f} | {t_step / s_o:.2f} | "
                  f"{n * a.tokens_per_step / s_n:,.0f} | {t_step / s_n:.2f} |")


if __name__ == "__main__":
    main()
