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
import os

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernels import median_us  # noqa: E402  (the same timing as the kernel cases)

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


for name in sys.argv[1:] or ["lstm_f", "lstm_fb", "gru_f", "gru_fb"]:
    print(json.dumps({"case": name, "impl": "pytorch", "us": round(median_us(create(name)), 3)}), flush=True)
