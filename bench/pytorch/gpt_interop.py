"""Checks by hand that a GPT file saved by Nabla loads into nanoGPT's GPT with load_state_dict (not a test).

    dotnet run -c Release --project bench/Nabla.Bench -- gpt 220 /tmp/nabla_gpt.safetensors   # trains, saves, prints val_loss_200
    /usr/bin/python3 bench/pytorch/gpt_interop.py /tmp/nabla_gpt.safetensors

The file's metadata gives the configuration; lm_head.weight is not stored (tied to transformer.wte.weight), so it is
added under its second name before load_state_dict(strict=False), whose only missing keys must be nanoGPT's causal-mask
buffers. Prints the validation loss over the first 200 windows of the val split, to compare with Nabla's val_loss_200.
"""
import json
import os
import struct
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpt import GPT  # noqa: E402  (nanoGPT's model, as bench/pytorch/gpt.py defines it)

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64}


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, e in header.items():
        a, b = e["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(data[a:b]), dtype=DTYPES[e["dtype"]]).reshape(e["shape"])
    return tensors, meta


def main():
    path = sys.argv[1]
    sd, meta = load_safetensors(path)
    c = dict(vocab_size=int(meta["vocab_size"]), block_size=int(meta["block_size"]), n_layer=int(meta["n_layer"]),
             n_head=int(meta["n_head"]), n_embd=int(meta["n_embd"]), dropout=float(meta["dropout"]),
             bias=meta["bias"] == "True")
    model = GPT(c)
    assert "lm_head.weight" not in sd, "Nabla stores the tied weight once"
    sd["lm_head.weight"] = sd["transformer.wte.weight"]
    missing, unexpected = model.load_state_dict(sd, strict=False)
    assert not unexpected, unexpected
    assert all(k.endswith(".attn.bias") for k in missing), missing
    assert model.lm_head.weight is model.transformer.wte.weight
    model.eval()
    text = open("/work/shared/data/tinyshakespeare.txt", encoding="utf-8").read()
    vocab = meta["vocab"]
    assert vocab == "".join(sorted(set(text)))
    stoi = {ch: i for i, ch in enumerate(vocab)}
    data = torch.tensor([stoi[ch] for ch in text], dtype=torch.long)
    val = data[int(len(data) * 0.9):]
    t = c["block_size"]
    x = torch.stack([val[i * t:(i + 1) * t] for i in range(200)])
    y = torch.stack([val[i * t + 1:(i + 1) * t + 1] for i in range(200)])
    with torch.no_grad():
        loss = model(x, y).item()
    print(json.dumps({"config": c, "missing_keys": missing, "unexpected_keys": unexpected, "val_loss_200": round(loss, 6)}))


if __name__ == "__main__":
    main()
