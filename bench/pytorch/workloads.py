"""The workloads of `nabla bench` written for PyTorch, printing the same JSON lines.

Run with Debian's python3-torch on OpenBLAS (PyTorch's own threads 1, BLAS threads 2 — its fastest set-up here):
    OPENBLAS_NUM_THREADS=2 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/pytorch/workloads.py mlp
Workloads: mlp, cnn (one epoch on Fashion-MNIST from /usr/share/datasets/fashion-mnist, Adam 1e-3, batch 128),
overhead (1,000 elementwise ops on 16 elements), scalar (micrograd's moons demo with 0-d tensors and batched).
"""
import argparse
import gzip
import json
import math
import resource
import struct
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, n = struct.unpack(">II", data[:8])
    if magic == 0x803:
        rows, cols = struct.unpack(">II", data[8:16])
        return torch.frombuffer(bytearray(data[16:]), dtype=torch.uint8).reshape(n, 1, rows, cols)
    return torch.frombuffer(bytearray(data[8:]), dtype=torch.uint8).long()


def fashion(train):
    p = "train" if train else "t10k"
    x = idx(f"{DATA}/{p}-images-idx3-ubyte.gz").float() / 255.0
    y = idx(f"{DATA}/{p}-labels-idx1-ubyte.gz")
    return x, y


def model_for(name):
    if name == "mlp":
        return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))


def warm_up(name, batch_size, steps=2):
    """Training steps on a throwaway model before the timer, as `nabla bench` takes: first-call costs stay out of the epoch."""
    model = model_for(name)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    shape = (batch_size, 784) if name == "mlp" else (batch_size, 1, 28, 28)
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(torch.zeros(shape)), torch.arange(batch_size) % 10).backward()
        opt.step()


def training(name, batch_size, epochs):
    warm_up(name, batch_size)
    torch.manual_seed(1)
    x, y = fashion(True)
    xt, yt = fashion(False)
    if name == "mlp":
        x, xt = x.reshape(-1, 784), xt.reshape(-1, 784)
    model = model_for(name)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    n = x.shape[0]
    samples = 0
    start = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(n)
        for i in range(0, n, batch_size):
            idxs = perm[i:i + batch_size]
            xb, yb = x[idxs], y[idxs]
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            samples += xb.shape[0]
    seconds = time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(xt[i:i + 1000]) for i in range(0, xt.shape[0], 1000)])
        acc = (logits.argmax(1) == yt).float().mean().item()
        test_loss = F.cross_entropy(logits, yt).item()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {"workload": name, "impl": "pytorch", "batch_size": batch_size, "epochs": epochs, "seconds": seconds,
            "samples_per_s": samples / seconds, "test_acc": acc, "test_loss": test_loss, "peak_rss_mb": rss}


def overhead(ops=1000):
    torch.manual_seed(1)
    x0 = torch.rand(16, requires_grad=True)
    c = torch.rand(16)
    best_f = best_b = float("inf")
    for _ in range(30):
        t0 = time.perf_counter()
        y = x0
        for i in range(ops):
            y = y + c if i % 3 == 0 else (y * c if i % 3 == 1 else torch.tanh(y))
        t1 = time.perf_counter()
        y.sum().backward()
        t2 = time.perf_counter()
        x0.grad = None
        best_f, best_b = min(best_f, t1 - t0), min(best_b, t2 - t1)
    return {"workload": "overhead", "impl": "pytorch", "ops": ops, "fwd_us_per_op": best_f / ops * 1e6, "bwd_us_per_op": best_b / ops * 1e6}


def moons(n=100, noise=0.1, seed=1):
    g = torch.Generator().manual_seed(seed)
    half = n // 2
    t_out = torch.linspace(0, math.pi, half, dtype=torch.float64)
    t_in = torch.linspace(0, math.pi, n - half, dtype=torch.float64)
    x = torch.cat([torch.stack([torch.cos(t_out), torch.sin(t_out)], 1),
                   torch.stack([1 - torch.cos(t_in), 1 - torch.sin(t_in) - 0.5], 1)])
    x += noise * torch.randn(x.shape, generator=g, dtype=torch.float64)
    y = torch.cat([-torch.ones(half, dtype=torch.float64), torch.ones(n - half, dtype=torch.float64)])
    return x, y


SIZES = [2, 16, 16, 1]


def init_weights():
    g = torch.Generator().manual_seed(7)
    count = sum((SIZES[i] + 1) * SIZES[i + 1] for i in range(len(SIZES) - 1))
    return (torch.rand(count, generator=g, dtype=torch.float64) * 2 - 1).tolist()


def scalar_form(xs, ys):
    p = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in init_weights()]
    n = len(ys)
    acc = 0.0
    for k in range(100):
        loss, correct = None, 0
        for s in range(n):
            act = [torch.tensor(xs[s][0], dtype=torch.float64), torch.tensor(xs[s][1], dtype=torch.float64)]
            at = 0
            for layer in range(len(SIZES) - 1):
                nxt = []
                for _ in range(SIZES[layer + 1]):
                    total = p[at + SIZES[layer]]
                    for i in range(SIZES[layer]):
                        total = total + p[at + i] * act[i]
                    at += SIZES[layer] + 1
                    nxt.append(total.relu() if layer + 2 < len(SIZES) else total)
                act = nxt
            score = act[0]
            correct += int((score.item() > 0) == (ys[s] > 0))
            margin = (1.0 - score * ys[s]).relu()
            loss = margin if loss is None else loss + margin
        reg = sum(t * t for t in p)
        total = loss / n + reg * 1e-4
        for t in p:
            t.grad = None
        total.backward()
        lr = 1.0 - 0.9 * k / 100
        with torch.no_grad():
            for t in p:
                t -= lr * t.grad
        acc = correct / n
    return acc


def batched_form(x, y):
    w_init = init_weights()
    weights, biases, at = [], [], 0
    for layer in range(len(SIZES) - 1):
        fan_in, fan_out = SIZES[layer], SIZES[layer + 1]
        w = torch.zeros(fan_in, fan_out, dtype=torch.float64)
        b = torch.zeros(fan_out, dtype=torch.float64)
        for j in range(fan_out):
            for i in range(fan_in):
                w[i, j] = w_init[at + i]
            b[j] = w_init[at + fan_in]
            at += fan_in + 1
        weights.append(w.requires_grad_())
        biases.append(b.requires_grad_())
    params = weights + biases
    yy = y.reshape(-1, 1)
    acc = 0.0
    for k in range(100):
        h = x
        for i, (w, b) in enumerate(zip(weights, biases)):
            h = h @ w + b
            if i + 1 < len(weights):
                h = h.relu()
        loss = (1.0 - h * yy).relu().mean()
        total = loss + sum((t * t).sum() for t in params) * 1e-4
        for t in params:
            t.grad = None
        total.backward()
        lr = 1.0 - 0.9 * k / 100
        with torch.no_grad():
            for t in params:
                t -= lr * t.grad
        acc = ((h.detach() * yy) > 0).double().mean().item()
    return acc


def scalar():
    x, y = moons()
    rows = []
    for form in ("scalar", "batched"):
        t0 = time.perf_counter()
        acc = scalar_form(x.tolist(), y.tolist()) if form == "scalar" else batched_form(x, y)
        rows.append({"workload": "scalar", "impl": "pytorch", "form": form, "seconds": time.perf_counter() - t0, "accuracy": acc})
    return rows


def main():
    p = argparse.ArgumentParser()
    p.add_argument("workload", choices=["mlp", "cnn", "overhead", "scalar"])
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--epochs", type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(1)
    if args.workload in ("mlp", "cnn"):
        rows = [training(args.workload, args.batch_size, args.epochs)]
    elif args.workload == "overhead":
        rows = [overhead()]
    else:
        rows = scalar()
    for r in rows:
        print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
