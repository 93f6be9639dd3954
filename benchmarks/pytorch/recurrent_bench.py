#!/usr/bin/env python3
"""PyTorch timings for the layers of RecurrentBenchmarks / AttentionBenchmarks: forward + backward
(input and weight gradients) of the seed models' recurrent layers, batch 64, 187 steps, float32.

Run with Debian's CPU PyTorch (apt-get install python3-torch libopenblas0):
    /usr/bin/python3 benchmarks/pytorch/recurrent_bench.py --threads 2
or on a GPU machine with --device cuda (cuDNN RNNs). Prints one JSON object per layer.
"""
import argparse, json, statistics, time
import torch

LAYERS = [("lstm", 1, 128), ("lstm", 128, 64), ("gru", 1, 64), ("gru", 64, 128), ("rnn", 1, 128)]
BATCH, STEPS = 64, 187


def timed(fn, device, repeats, warmup=3):
    for _ in range(warmup):
        fn()
    if device == "cuda":
        torch.cuda.synchronize()
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        if device == "cuda":
            torch.cuda.synchronize()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), statistics.mean(samples)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--repeats", type=int, default=10)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    dev = torch.device(args.device)
    for kind, i, h in LAYERS:
        # gru2 uses a relu candidate, which nn.GRU lacks: PyTorch runs its tanh GRU (same cost).
        mod = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[kind](i, h, batch_first=True).to(dev)
        x = torch.randn(BATCH, STEPS, i, device=dev, requires_grad=True)
        up = torch.randn(BATCH, STEPS, h, device=dev)

        def step():
            mod.zero_grad(set_to_none=True)
            x.grad = None
            y, _ = mod(x)
            (y * up).sum().backward()

        med, mean = timed(step, args.device, args.repeats)
        print(json.dumps({"layer": f"{kind} {i}->{h}", "framework": f"torch {torch.__version__}", "device": args.device,
                          "threads": torch.get_num_threads(), "median_ms": med * 1e3, "mean_ms": mean * 1e3,
                          "beats_per_s": BATCH / med}), flush=True)
    v = torch.randn(BATCH, STEPS, 128, device=dev, requires_grad=True)
    up = torch.randn(BATCH, STEPS, 128, device=dev)

    def attention():
        v.grad = None
        w = torch.softmax(v @ v.transpose(1, 2), dim=-1)
        ((w @ v) * up).sum().backward()

    med, mean = timed(attention, args.device, args.repeats)
    print(json.dumps({"layer": "attention 64x187x128", "framework": f"torch {torch.__version__}", "device": args.device,
                      "threads": torch.get_num_threads(), "median_ms": med * 1e3, "mean_ms": mean * 1e3,
                      "beats_per_s": BATCH / med}), flush=True)


if __name__ == "__main__":
    main()
