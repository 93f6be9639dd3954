#!/usr/bin/env python3
"""PyTorch's time for the kernels of EcgGpu's BenchmarkDotNet suites, same shapes, same machine:
conv1d forward / input gradient / weight gradient (Conv1dBenchmarks), softmax cross-entropy
(SoftmaxCrossEntropyBenchmarks), one Adam step (AdamBenchmarks), the batch gather of Fit
(GatherBenchmarks), dropout and max-pooling (DropoutPoolBenchmarks). Median of timed repeats after warm-up.

usage: kernels_bench.py [--threads N] [--device cpu|cuda]
"""
import argparse, statistics, time
import torch
import torch.nn.functional as F


def timed(fn, device, min_seconds=0.5, min_reps=20):
    for _ in range(5):
        fn()
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    sync()
    times, start = [], time.perf_counter()
    while len(times) < min_reps or time.perf_counter() - start < min_seconds:
        t = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--device", default="cpu")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    dev = a.device
    g = torch.Generator().manual_seed(1)
    rnd = lambda *s: (torch.rand(*s, generator=g) * 2 - 1).to(dev)
    print(f"PyTorch {torch.__version__} on {dev} ({torch.get_num_threads()} threads)")
    print(f"{'kernel':<44} {'shape':<26} {'median µs':>10} {'GFLOP/s':>8} {'GB/s':>6}")

    def row(name, shape, seconds, flops=None, bytes_=None):
        gf = f"{flops / seconds / 1e9:8.1f}" if flops else f"{'':>8}"
        gb = f"{bytes_ / seconds / 1e9:6.1f}" if bytes_ else f"{'':>6}"
        print(f"{name:<44} {shape:<26} {seconds * 1e6:10.1f} {gf} {gb}")

    for label, (n, cin, lin, cout, k, pad) in {
        "conv1 1->64 L187": (64, 1, 187, 64, 3, 0),
        "conv2 64->128 L92": (64, 64, 92, 128, 3, 0),
        "kachuee 32->32 L187 K5": (64, 32, 187, 32, 5, 2),
    }.items():
        x, w, b = rnd(n, cin, lin), rnd(cout, cin, k), rnd(cout)
        y = F.conv1d(x, w, b, padding=pad)
        dy = rnd(*y.shape)
        lout = y.shape[-1]
        flops = 2.0 * n * cout * lout * cin * k
        with torch.no_grad():
            row("conv1d forward", label, timed(lambda: F.conv1d(x, w, b, padding=pad), dev), flops)
            row("conv1d input gradient", label, timed(lambda: torch.nn.grad.conv1d_input(x.shape, w, dy, padding=pad), dev), flops)
            row("conv1d weight gradient + bias", label,
                timed(lambda: (torch.nn.grad.conv1d_weight(x, w.shape, dy, padding=pad), dy.sum((0, 2))), dev), flops)

    with torch.no_grad():
        for rows in (64, 65536):
            logits = rnd(rows, 5) * 3
            labels = torch.randint(0, 5, (rows,), generator=g).to(dev)
            def xent():
                p = torch.softmax(logits, 1)
                loss = F.cross_entropy(logits, labels, reduction="none")
                p[torch.arange(rows), labels] -= 1
                return loss, p / rows
            row("softmax cross-entropy (loss + gradient)", f"{rows} x 5", timed(xent, dev), None, rows * (20 + 4 + 4 + 20))

    for count in (55_013, 763_013):
        p = torch.nn.Parameter(rnd(count))
        p.grad = rnd(count)
        opt = torch.optim.Adam([p], lr=1e-3, eps=1e-7)
        row("Adam step", f"{count:,} parameters", timed(opt.step, dev), None, count * 28)

    x = rnd(87_554, 187)
    labels = torch.randint(0, 5, (87_554,), generator=g).to(dev)
    order = torch.randperm(87_554, generator=g).to(dev)
    state = {"offset": 0}
    def gather():
        state["offset"] = (state["offset"] + 64) % (87_554 - 64)
        idx = order[state["offset"]:state["offset"] + 64]
        return x.index_select(0, idx), labels.index_select(0, idx)
    row("batch gather (rows + labels)", "64 of 87,554 x 187", timed(gather, dev), None, 64 * (187 * 8 + 12))

    with torch.no_grad():
        h = rnd(64, 64, 185)
        row("dropout(0.5) forward (mask kept)", "64 x 64 x 185", timed(lambda: F.dropout(h, 0.5, True), dev), None, h.numel() * 12)
        row("max-pool k2 s2 (with indices)", "64 x 64 x 185", timed(lambda: F.max_pool1d(h, 2, 2, return_indices=True), dev), None,
            h.numel() * 4 + 64 * 64 * 92 * 8)
        h2 = rnd(64, 32, 187)
        row("max-pool k5 s2 (with indices)", "64 x 32 x 187", timed(lambda: F.max_pool1d(h2, 5, 2, return_indices=True), dev), None,
            h2.numel() * 4 + 64 * 32 * 92 * 8)


if __name__ == "__main__":
    main()
