"""The recurrent cases of `bench/Nabla.Bench/RnnStopwatch.cs` written for PyTorch, printing the same JSON lines.

Run beside Nabla's (`dotnet run -c Release --project bench/Nabla.Bench -- rnn`):
    OPENBLAS_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/pytorch/rnn.py
nn.LSTM / nn.GRU of input 64, hidden 128 over batch 32 and 64 steps (seq-first), float32, torch.set_num_threads(1):
`_f` is the forward under no_grad, `_fb` forward + backward from a ones output gradient (parameter and input
gradients). Timing as bench/pytorch/kernels.py: warm-up for at least 1 s and 100 calls, then seven rounds of ~0.1 s,
the median round's time per call.
"""
import json
import sys
import time

import torch

torch.manual_seed(1)
torch.set_num_threads(1)
BATCH, STEPS, INPUT, HIDDEN = 32, 64, 64, 128


def create(name):
    x = torch.randn(STEPS, BATCH, INPUT, requires_grad=True)
    module = (torch.nn.LSTM if name.startswith("lstm") else torch.nn.GRU)(INPUT, HIDDEN)
    if name.endswith("_f"):
        def call():
            with torch.no_grad():
                module(x)
        return call
    ones = torch.ones(STEPS, BATCH, HIDDEN)

    def call():
        for p in module.parameters():
            p.grad = None
        x.grad = None
        module(x)[0].backward(ones)
    return call


def median_us(call):
    start, calls = time.perf_counter(), 0
    while time.perf_counter() - start < 1 or calls < 100:
        call()
        calls += 1
    per_round = max(1, int(calls * 0.1 / (time.perf_counter() - start)))
    rounds = []
    for _ in range(7):
        t = time.perf_counter()
        for _ in range(per_round):
            call()
        rounds.append((time.perf_counter() - t) * 1e6 / per_round)
    rounds.sort()
    return rounds[3]


for name in sys.argv[1:] or ["lstm_f", "lstm_fb", "gru_f", "gru_fb"]:
    print(json.dumps({"case": name, "impl": "pytorch", "us": round(median_us(create(name)), 3)}), flush=True)
