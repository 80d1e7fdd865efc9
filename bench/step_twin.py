#!/usr/bin/python3
"""The Python twin of bench/step_bench.cc: the same default models written the
way a PyTorch user would, the same training step, timed the same way (no read
of the loss inside the timed steps; one synchronisation at the end).
Debian's python3-torch is the same LibTorch 1.13 build the C++ side links; on
the GPU machine the image's PyTorch is the LibTorch that regal is built against.

    /usr/bin/python3 bench/step_twin.py --arch transformer|lstm [--device cpu|cuda]
                     [--threads N] [--steps N] [--batch 128] [--length 40]
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, heads, d_ff, dropout=0.0):
        super().__init__()
        self.heads = heads
        self.norm_attention = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.norm_mlp = nn.LayerNorm(d)
        self.up = nn.Linear(d, d_ff)
        self.down = nn.Linear(d_ff, d)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(self.norm_attention(x)).view(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-2, -1) / math.sqrt(d // self.heads)
        attention = self.dropout(torch.softmax(scores, -1))
        context = (attention @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.dropout(self.out(context))
        return x + self.dropout(self.down(F.gelu(self.up(self.norm_mlp(x)))))


class Transformer(nn.Module):
    """Pre-LN encoder, sinusoidal positions, CLS pooling: regal's defaults."""

    def __init__(self, symbols=2, d=64, layers=2, heads=4, d_ff=256):
        super().__init__()
        self.cls = symbols
        self.embedding = nn.Embedding(symbols + 1, d)
        self.blocks = nn.ModuleList(Block(d, heads, d_ff) for _ in range(layers))
        self.norm_final = nn.LayerNorm(d)
        self.head = nn.Linear(d, 2)
        self.d = d

    def positions(self, t, device):
        position = torch.arange(t, device=device, dtype=torch.float32).unsqueeze(1)
        frequencies = torch.exp(torch.arange(0, self.d, 2, device=device) * (-math.log(10000.0) / self.d))
        angles = position * frequencies
        return torch.stack([torch.sin(angles), torch.cos(angles)], -1).reshape(t, self.d)

    def forward(self, tokens):
        cls = torch.full((tokens.shape[0], 1), self.cls, dtype=tokens.dtype, device=tokens.device)
        ids = torch.cat([cls, tokens], 1)
        x = self.embedding(ids) + self.positions(ids.shape[1], ids.device)
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm_final(x)[:, 0])


class Lstm(nn.Module):
    def __init__(self, symbols=2, d=64, layers=2):
        super().__init__()
        self.embedding = nn.Embedding(symbols, d)
        self.lstm = nn.LSTM(d, d, num_layers=layers, batch_first=True)
        self.head = nn.Linear(d, 2)

    def forward(self, tokens):
        _, (h, _) = self.lstm(self.embedding(tokens))
        return self.head(h[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--arch", default="transformer")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--length", type=int, default=40)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    model = (Transformer() if args.arch == "transformer" else Lstm()).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    tokens = torch.randint(0, 2, (args.batch, args.length)).to(device)
    labels = torch.randint(0, 2, (args.batch,)).to(device)
    model.train()

    def synchronize():
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    def step():
        optimizer.zero_grad()
        loss = F.cross_entropy(model(tokens), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    for _ in range(5):
        step()
    synchronize()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    synchronize()
    seconds = time.perf_counter() - start
    print(json.dumps({"impl": "python", "arch": args.arch, "device": str(device), "threads": args.threads,
                      "batch": args.batch, "length": args.length,
                      "parameters": sum(p.numel() for p in model.parameters()),
                      "ms_per_step": 1000.0 * seconds / args.steps}))


if __name__ == "__main__":
    main()
