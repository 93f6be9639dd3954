#!/usr/bin/env python3
"""The same figures as `ecg bench` for the PyTorch versions of the zoo models, on the same machine:
training beats/s in steady state (forward, cross-entropy, backward, Adam; batch 64), single-beat
inference latency (median), and inference throughput at batch 1024.

usage: models_bench.py [--models cnn,kachuee,cnn-lstm,lstm2] [--threads N] [--device cpu|cuda] [--steps 40] [--json F]
"""
import argparse, json, statistics, time
import torch
import torch.nn as nn


class Residual(nn.Module):
    def __init__(self, f=32, k=5):
        super().__init__()
        self.a = nn.Conv1d(f, f, k, padding=k // 2)
        self.b = nn.Conv1d(f, f, k, padding=k // 2)
        self.pool = nn.MaxPool1d(5, 2)

    def forward(self, x):
        return self.pool(torch.relu(self.b(torch.relu(self.a(x))) + x))


class LastStep(nn.Module):
    def __init__(self, lstm):
        super().__init__()
        self.lstm = lstm

    def forward(self, x):
        return self.lstm(x)[0][:, -1]


class Seq(nn.Module):
    def __init__(self, lstm):
        super().__init__()
        self.lstm = lstm

    def forward(self, x):
        return self.lstm(x)[0]


class Permute(nn.Module):
    def forward(self, x):
        return x.permute(0, 2, 1)


def make(name):
    # Inputs: (N, 1, L) for convolutional models, (N, L, 1) for recurrent ones, as in ecg's zoo.
    if name == "cnn":
        return nn.Sequential(nn.Conv1d(1, 64, 3), nn.ReLU(), nn.MaxPool1d(2), nn.Dropout(0.5),
                             nn.Conv1d(64, 128, 3), nn.ReLU(), nn.MaxPool1d(2), nn.Dropout(0.5),
                             nn.Flatten(), nn.Linear(128 * 45, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 5)), 187, "conv"
    if name == "kachuee":
        return nn.Sequential(nn.Conv1d(1, 32, 5, padding=2), *[Residual() for _ in range(5)], nn.Flatten(),
                             nn.Linear(32 * 2, 32), nn.ReLU(), nn.Linear(32, 32), nn.Linear(32, 5)), 187, "conv"
    if name == "cnn-lstm":
        return nn.Sequential(nn.Conv1d(1, 32, 3), nn.ReLU(), nn.MaxPool1d(2), Permute(),
                             LastStep(nn.LSTM(32, 64, batch_first=True)), nn.Linear(64, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 5)), 60, "conv"
    if name == "lstm2":
        return nn.Sequential(Seq(nn.LSTM(1, 128, batch_first=True)), nn.Dropout(0.2),
                             LastStep(nn.LSTM(128, 64, batch_first=True)), nn.Dropout(0.2), nn.Linear(64, 5)), 187, "seq"
    if name == "lstm":
        return nn.Sequential(LastStep(nn.LSTM(1, 64, batch_first=True)), nn.Linear(64, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 5)), 60, "seq"
    raise SystemExit(f"no PyTorch version of {name}")


def sync(device):
    if device == "cuda":
        torch.cuda.synchronize()


def bench(name, device, batch, steps):
    model, length, layout = make(name)
    model = model.to(device)
    params = sum(p.numel() for p in model.parameters())
    shape = (1, length) if layout == "conv" else (length, 1)
    x = torch.rand(batch * steps, *shape, device=device)
    y = torch.randint(0, 5, (batch * steps,), device=device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()

    def epoch():
        model.train()
        perm = torch.randperm(batch * steps, device=device)
        for s in range(steps):
            idx = perm[s * batch:(s + 1) * batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            loss.item()  # one scalar back per step, as ecg's Fit reads the loss
        sync(device)

    epoch()
    t = time.perf_counter()
    epoch(); epoch()
    train = (time.perf_counter() - t) / 2
    model.eval()
    one = torch.rand(1, *shape)
    big = torch.rand(1024, *shape)
    with torch.no_grad():
        for _ in range(20):
            model(one.to(device)).softmax(-1).cpu()
        lat = []
        start = time.perf_counter()
        while len(lat) < 500 and (len(lat) < 20 or time.perf_counter() - start < 3):
            t = time.perf_counter()
            model(one.to(device)).softmax(-1).cpu()  # host in, probabilities out, as ecg's Predict
            lat.append((time.perf_counter() - t) * 1e6)
        model(big.to(device)).softmax(-1).cpu()
        times = []
        for _ in range(7):
            t = time.perf_counter()
            model(big.to(device)).softmax(-1).cpu()
            times.append(time.perf_counter() - t)
    return dict(model=name, params=params, train_beats_per_second=batch * steps / train, train_step_ms=train / steps * 1000,
                single_beat_latency_us=statistics.median(lat), batch1024_beats_per_second=1024 / statistics.median(times))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", default="cnn,kachuee,cnn-lstm,lstm2")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--device", default="cpu")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--json")
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    print(f"PyTorch {torch.__version__} on {a.device} ({torch.get_num_threads()} threads); batch {a.batch}, {a.steps} steps per timed epoch")
    print(f"{'model':<14} {'params':>10} {'train beats/s':>14} {'step ms':>9} {'1-beat µs':>10} {'b1024 beats/s':>14}")
    rows = []
    for name in a.models.split(","):
        r = bench(name, a.device, a.batch, a.steps)
        rows.append(r)
        print(f"{r['model']:<14} {r['params']:>10,} {r['train_beats_per_second']:>14.0f} {r['train_step_ms']:>9.2f} {r['single_beat_latency_us']:>10.0f} {r['batch1024_beats_per_second']:>14.0f}")
    if a.json:
        json.dump(dict(framework=f"pytorch {torch.__version__}", device=a.device, threads=torch.get_num_threads(), batch=a.batch, models=rows), open(a.json, "w"), indent=2)


if __name__ == "__main__":
    main()
