"""The kernel cases of `bench/Nabla.Bench/KernelCases.cs` written for PyTorch, printing the same JSON lines.

Run (bench/kernels.sh does, beside Nabla's):
    OPENBLAS_NUM_THREADS=2 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/pytorch/kernels.py [case ...]
Same shapes, float32, same work per call; `_fb` cases run forward and backward from a given output gradient.
Timing as KernelStopwatch: warm-up calls for at least 1 s and 100 calls, then seven rounds of ~0.1 s, the median round's time per call.
Each case runs with PyTorch's intra-op threads at 1 and at 2 and reports the faster (`threads` says which).
"""
import json
import sys
import time

import torch
import torch.nn.functional as F

torch.manual_seed(1)


def r(*shape):
    return torch.randn(*shape)


def p(*shape):
    return torch.randn(*shape, requires_grad=True)


def no_grad(op):
    def call():
        with torch.no_grad():
            op()
    return call


def fb(forward, leaves):
    g = torch.ones_like(forward())

    def call():
        for t in leaves:
            t.grad = None
        forward().backward(g)
    return call


def step(make):
    ps = [p(512, 784), p(512), p(256, 512), p(256), p(10, 256), p(10)]
    for t in ps:
        t.grad = torch.randn_like(t)
    opt = make(ps)
    return opt.step


def cases():
    c = {}
    a, b = r(128, 512), r(128, 512)
    c["add_128x512"] = no_grad(lambda: a + b)
    a2, b2 = r(128, 512), r(512)
    c["add_bias_128x512"] = no_grad(lambda: a2 + b2)
    m1, m2 = r(1024, 1024), r(1024, 1024)
    c["mul_1024x1024"] = no_grad(lambda: m1 * m2)
    s = r(128, 512)
    c["relu_128x512"] = no_grad(lambda: torch.relu(s))
    big = r(1024, 1024)
    c["relu_1024x1024"] = no_grad(lambda: torch.relu(big))
    c["tanh_1024x1024"] = no_grad(lambda: torch.tanh(big))
    c["exp_1024x1024"] = no_grad(lambda: torch.exp(big))
    c["sigmoid_1024x1024"] = no_grad(lambda: torch.sigmoid(big))
    rp = p(128, 512)
    c["relu_fb_128x512"] = fb(lambda: torch.relu(rp), [rp])
    c["sum_1024x1024"] = no_grad(lambda: big.sum())
    c["sum_dim0_1024x1024"] = no_grad(lambda: big.sum(0))
    c["sum_dim1_1024x1024"] = no_grad(lambda: big.sum(1))
    c["max_dim1_128x512"] = no_grad(lambda: s.max(1))
    near1 = torch.rand(1024, 1024) * 0.002 + 0.999
    mask = big > 3.0
    rows, cols = r(128, 1000), r(1000, 128)
    c["max_dim0_1024x1024"] = no_grad(lambda: big.max(0))
    c["amax_dim1_1024x1024"] = no_grad(lambda: big.amax(1))
    c["amax_dim0_1024x1024"] = no_grad(lambda: big.amax(0))
    c["prod_dim1_1024x1024"] = no_grad(lambda: near1.prod(1))
    c["prod_dim0_1024x1024"] = no_grad(lambda: near1.prod(0))
    c["norm_dim1_1024x1024"] = no_grad(lambda: torch.norm(big, 2, 1))
    c["norm_dim0_1024x1024"] = no_grad(lambda: torch.norm(big, 2, 0))
    c["cumsum_dim1_1024x1024"] = no_grad(lambda: big.cumsum(1))
    c["cumsum_dim0_1024x1024"] = no_grad(lambda: big.cumsum(0))
    c["any_dim1_1024x1024"] = no_grad(lambda: mask.any(1))
    c["any_dim0_1024x1024"] = no_grad(lambda: mask.any(0))
    c["sort_dim1_128x1000"] = no_grad(lambda: rows.sort(dim=1, stable=True))
    c["sort_dim0_1000x128"] = no_grad(lambda: cols.sort(dim=0, stable=True))
    c["topk5_dim1_128x1000"] = no_grad(lambda: rows.topk(5, 1))
    c["topk5_dim0_1000x128"] = no_grad(lambda: cols.topk(5, 0))
    cp = (torch.rand(128, 512) * 0.002 + 0.999).requires_grad_()
    c["cumprod_fb_128x512"] = fb(lambda: cp.cumprod(1), [cp])
    npp = p(128, 512)
    c["norm_fb_128x512"] = fb(lambda: torch.norm(npp, 2, 1), [npp])
    ls = r(128, 1000)
    c["log_softmax_128x1000"] = no_grad(lambda: F.log_softmax(ls, 1))
    lsp = p(128, 1000)
    c["softmax_fb_128x1000"] = fb(lambda: F.softmax(lsp, 1), [lsp])
    logits = p(128, 10)
    target = torch.arange(128) % 10
    c["cross_entropy_fb_128x10"] = fb(lambda: F.cross_entropy(logits, target), [logits])
    x, w, bias = r(128, 784), r(512, 784), r(512)
    c["linear_128x784_512"] = no_grad(lambda: F.linear(x, w, bias))
    wp, bp = p(512, 784), p(512)
    c["linear_fb_128x784_512"] = fb(lambda: F.linear(x, wp, bp), [wp, bp])
    ba, bb = r(16, 128, 64), r(16, 64, 128)
    c["bmm_16x128x64x128"] = no_grad(lambda: ba @ bb)
    x1, w1, b1 = r(128, 1, 28, 28), r(32, 1, 3, 3), r(32)
    c["conv1_128x1x28x28"] = no_grad(lambda: F.conv2d(x1, w1, b1))
    x2, w2, b2c = r(128, 32, 13, 13), r(64, 32, 3, 3), r(64)
    c["conv2_128x32x13x13"] = no_grad(lambda: F.conv2d(x2, w2, b2c))
    x2p, w2p, b2p = p(128, 32, 13, 13), p(64, 32, 3, 3), p(64)
    c["conv2_fb_128x32x13x13"] = fb(lambda: F.conv2d(x2p, w2p, b2p), [x2p, w2p, b2p])
    xt, wt, bt = r(32, 64, 16, 16), r(64, 32, 4, 4), r(32)
    c["convt_32x64x16x16"] = no_grad(lambda: F.conv_transpose2d(xt, wt, bt, 2, 1))
    xc, bc = r(32, 32, 32, 32), r(64)
    c["convt_mirror_32x32x32x32"] = no_grad(lambda: F.conv2d(xc, wt, bc, 2, 1))
    xtp, wtp, btp = p(32, 64, 16, 16), p(64, 32, 4, 4), p(32)
    c["convt_fb_32x64x16x16"] = fb(lambda: F.conv_transpose2d(xtp, wtp, btp, 2, 1), [xtp, wtp, btp])
    xcp, wcp, bcp = p(32, 32, 32, 32), p(64, 32, 4, 4), p(64)
    c["convt_mirror_fb_32x32x32x32"] = fb(lambda: F.conv2d(xcp, wcp, bcp, 2, 1), [xcp, wcp, bcp])
    xm = r(128, 32, 26, 26)
    c["maxpool_128x32x26x26"] = no_grad(lambda: F.max_pool2d(xm, 2))
    xmp = p(128, 32, 26, 26)
    c["maxpool_fb_128x32x26x26"] = fb(lambda: F.max_pool2d(xmp, 2), [xmp])
    c["adam_step_mlp"] = step(lambda ps: torch.optim.Adam(ps, lr=1e-3))
    c["sgd_momentum_step_mlp"] = step(lambda ps: torch.optim.SGD(ps, lr=0.01, momentum=0.9))
    return c


def median_us(call):
    t0 = time.perf_counter()
    calls = 0
    while time.perf_counter() - t0 < 1 or calls < 100:
        call()
        calls += 1
    per_round = max(1, int(calls * 0.1 / (time.perf_counter() - t0)))
    rounds = []
    for _ in range(7):
        t = time.perf_counter()
        for _ in range(per_round):
            call()
        rounds.append((time.perf_counter() - t) * 1e6 / per_round)
    rounds.sort()
    return rounds[len(rounds) // 2]


def main():
    table = cases()
    names = sys.argv[1:] or list(table)
    for name in names:
        if name not in table:
            sys.exit(f"unknown kernel case '{name}'; expected one of: {', '.join(table)}")
        best = None
        for threads in (1, 2):
            torch.set_num_threads(threads)
            us = median_us(table[name])
            if best is None or us < best[0]:
                best = (us, threads)
        print(json.dumps({"case": name, "impl": "pytorch", "us": round(best[0], 3), "threads": best[1]}), flush=True)


if __name__ == "__main__":
    main()
