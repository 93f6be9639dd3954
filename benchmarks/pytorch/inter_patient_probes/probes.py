"""Exploration of inter-patient features in PyTorch (DS1 -> DS2), not results: the test set is scored after
every epoch to see whether a feature moves the curve at all; nothing here is early-stopped on DS2 and no
figure from it is a model's result. What it found is in
benchmarks/results/inter-patient-rr-cpu-2026-11-23.md, sections (4) and (7).

    python3 probes.py --beats ~/.cache/ecggpu/beats/mitdb-inter-patient-1-<hash> --model cnn --rr 0,1,2,3,4

--beats is the folder `ecg train --mitdb ... --split inter-patient` caches (mitbih_train/test.csv with their
_rr.csv). --rr picks RR inputs by index: 0-4 the five per-record ratios the -rr models take (pre_local,
post_local, pre_record, post_record, local_record); 5 pre-RR over the previous pre-RR (prematurity against the
beat before); 6 post-RR over pre-RR (compensatory pause); 7 local irregularity (mean absolute successive
difference of pre-RR over the 11 beats around, over their mean); 8 the record's median of 7;
9 prematurity against the rhythm around the beat ((median - pre-RR) / median over the relative median absolute
deviation + 0.02, of the 20 pre-RR around it without the beat's own pre- and post-RR); 10 that relative deviation.
--exclude leaves records out of training (the library's record-wise validation part, for example).
--median adds a second input channel: the beat minus its record's median beat. --before N puts the N samples
before the R peak (the beat's P wave; the Kaggle window starts at the peak) ahead of the beat (needs --mitdb).
"""
import argparse, os
import numpy as np
import torch

CLASSES = 5


def load(beats_dir, part):
    x = np.loadtxt(os.path.join(beats_dir, f"mitbih_{part}.csv"), delimiter=",", dtype=np.float32)
    rr = np.loadtxt(os.path.join(beats_dir, f"mitbih_{part}_rr.csv"), delimiter=",", skiprows=1)
    # rr columns: record, sample, pre, post, local, record_rr, pre_local, post_local, pre_record, post_record, local_record
    return x[:, :187], x[:, 187].astype(np.int64), rr[:, 0].astype(np.int64), rr[:, 1:]


def extra_rr(records, rr):
    """Features 5-10 (see the module doc), per record in R-peak order."""
    out = np.zeros((len(records), 6))
    for r in np.unique(records):
        idx = np.where(records == r)[0]
        idx = idx[np.argsort(rr[idx, 0])]
        pre, post = rr[idx, 1], rr[idx, 2]
        k = len(idx)
        previous = np.concatenate([[pre[0]], pre[:-1]])
        steps = np.abs(np.diff(pre, prepend=pre[0]))
        step_sum = np.cumsum(np.concatenate([[0], steps]))
        pre_sum = np.cumsum(np.concatenate([[0], pre]))
        lo, hi = np.clip(np.arange(k) - 5, 0, k), np.clip(np.arange(k) + 6, 0, k)
        irregularity = (step_sum[hi] - step_sum[lo]) / (pre_sum[hi] - pre_sum[lo])
        out[idx, 0] = pre / previous
        out[idx, 1] = post / pre
        out[idx, 2] = irregularity
        out[idx, 3] = np.median(irregularity)
        # 9, 10: the beat's pre-RR against the rhythm around it without the beat: the 10 pre-RR on each side,
        # leaving out the beat's own pre-RR and post-RR (the next beat's pre-RR), so that an isolated
        # premature beat stands out from a regular rhythm and a beat in atrial fibrillation does not.
        for n in range(k):
            around = np.concatenate([pre[max(0, n - 10):max(0, n - 1)], pre[n + 2:n + 12]])
            if len(around) < 3:
                around = pre
            centre = np.median(around)
            spread = np.median(np.abs(around - centre)) / centre
            out[idx[n], 4] = np.clip((centre - pre[n]) / centre / (spread + 0.02), -10, 10)
            out[idx[n], 5] = spread
    return out


def read_mlii(mitdb, record):
    """Lead MLII of a two-signal format-212 record (signal 1 in record 114), as the library reads it."""
    raw = np.fromfile(os.path.join(mitdb, f"{record}.dat"), dtype=np.uint8).astype(np.int32)
    raw = raw[: len(raw) // 3 * 3].reshape(-1, 3)
    first = raw[:, 0] | ((raw[:, 1] & 0x0F) << 8)
    second = raw[:, 2] | ((raw[:, 1] & 0xF0) << 4)
    both = np.stack([first, second], 1).reshape(-1)
    both = np.where(both >= 2048, both - 4096, both)
    return both[1::2] if record == 114 else both[0::2]   # samples alternate signal 0, signal 1


def before_r(mitdb, records, rr, length):
    """The `length` samples at 125 Hz before each beat's R peak (where its P wave is; the Kaggle window starts
    at the R peak), scaled with the min and max of the window the library cuts (1.2 x local RR from the peak)."""
    out = np.zeros((len(records), length), dtype=np.float32)
    for rec in np.unique(records):
        signal = read_mlii(mitdb, rec).astype(np.float64)
        ratio = 360 / 125
        resampled = np.interp(np.arange(int(len(signal) / ratio)) * ratio, np.arange(len(signal)), signal)
        for i in np.where(records == rec)[0]:
            r = int(round(rr[i, 0] / ratio))
            span = min(187, int(round(1.2 * rr[i, 3] * 125)))
            beat = resampled[r:r + span]
            lo, hi = beat.min(), beat.max()
            window = resampled[max(0, r - length):r]
            out[i, length - len(window):] = (window - lo) / (hi - lo if hi > lo else 1)
    return out


def features(beats_dir, part, median, mitdb=None, before=0):
    x, y, records, rr = load(beats_dir, part)
    if before > 0:
        x = np.concatenate([before_r(mitdb, records, rr, before), x], 1)
    r = np.concatenate([rr[:, 5:10], extra_rr(records, rr)], 1).astype(np.float32)
    if median:
        relative = np.zeros_like(x)
        for rec in np.unique(records):
            i = records == rec
            relative[i] = x[i] - np.median(x[i], 0)
        x = np.stack([x, relative], 1)
    else:
        x = x[:, None, :]
    return x, y, r, records


def curve(score, positive):
    """Every threshold on score, surest first: the order, and the sensitivity and +P of calling the top k positive."""
    order = np.argsort(-score)
    found = np.cumsum(positive[order])
    return order, found / positive.sum(), found / np.arange(1, len(score) + 1)


def roc_auc(score, positive):
    """Area under the ROC curve by ranks (Mann-Whitney), ties broken by position."""
    ranks = np.empty(len(score))
    ranks[np.argsort(score)] = np.arange(1, len(score) + 1)
    n1 = positive.sum()
    return (ranks[positive].sum() - n1 * (n1 + 1) / 2) / (n1 * (len(score) - n1))


def aami(y, p):
    out = {}
    for c, name in [(1, "SVEB"), (2, "VEB")]:
        tp = ((p == c) & (y == c)).sum()
        out[name] = (round(tp / max(1, (y == c).sum()), 3), round(tp / max(1, (p == c).sum()), 3))
    out["accuracy"] = round(float((p == y).mean()), 4)
    return out


class SmallCnnRr(torch.nn.Module):
    """Three Conv1D(5)+ReLU+MaxPool(2) blocks, flattened, joined with the RR inputs, Dense 64, Dropout 0.5, Dense 5."""

    def __init__(self, channels, rr_inputs, length=187):
        super().__init__()
        layers, c = [], channels
        for o in [16, 32, 32]:
            layers += [torch.nn.Conv1d(c, o, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool1d(2)]
            c = o
        self.beat = torch.nn.Sequential(*layers)
        self.head = torch.nn.Sequential(torch.nn.Linear(32 * (length // 8) + rr_inputs, 64), torch.nn.ReLU(), torch.nn.Dropout(0.5), torch.nn.Linear(64, CLASSES))

    def forward(self, x, r):
        return self.head(torch.cat([self.beat(x).flatten(1), r], 1))


class RrMlp(torch.nn.Module):
    """The RR inputs alone: Dense 64, Dense 64, Dense 5."""

    def __init__(self, rr_inputs):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(rr_inputs, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, CLASSES))

    def forward(self, x, r):
        return self.net(r)


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--beats", required=True)
    a.add_argument("--model", choices=["cnn", "mlp"], default="cnn")
    a.add_argument("--rr", default="0,1,2,3,4")
    a.add_argument("--median", action="store_true")
    a.add_argument("--weight-cap", type=float, default=10, help="class weights n/(5 count) capped here; 0: unweighted")
    a.add_argument("--epochs", type=int, default=8)
    a.add_argument("--before", type=int, default=0, help="also the N samples before the R peak (needs --mitdb)")
    a.add_argument("--mitdb", help="raw MIT-BIH records, for --before")
    a.add_argument("--weight-decay", type=float, default=0, help="AdamW's decoupled weight decay (0: Adam, as the library)")
    a.add_argument("--exclude", default="", help="DS1 records left out of training, comma-separated")
    args = a.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    cols = [int(c) for c in args.rr.split(",")]
    xtr, ytr, rtr, records = features(args.beats, "train", args.median, args.mitdb, args.before)
    if args.exclude:
        keep = ~np.isin(records, [int(r) for r in args.exclude.split(",")])
        xtr, ytr, rtr = xtr[keep], ytr[keep], rtr[keep]
    xte, yte, rte, _ = features(args.beats, "test", args.median, args.mitdb, args.before)
    rtr, rte = rtr[:, cols], rte[:, cols]
    mean, std = rtr.mean(0), rtr.std(0) + 1e-6   # standardised on DS1
    ra, rb = torch.tensor((rtr - mean) / std), torch.tensor((rte - mean) / std)
    xa, xb, labels = torch.tensor(xtr), torch.tensor(xte), torch.tensor(ytr)
    model = SmallCnnRr(xa.shape[1], len(cols), xa.shape[2]) if args.model == "cnn" else RrMlp(len(cols))
    counts = np.bincount(ytr, minlength=CLASSES)
    weights = np.minimum(len(ytr) / (CLASSES * np.maximum(counts, 1)), args.weight_cap) if args.weight_cap > 0 else np.ones(CLASSES)
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(weights, dtype=torch.float32))
    opt = torch.optim.AdamW(model.parameters(), 1e-3, weight_decay=args.weight_decay) if args.weight_decay > 0 else torch.optim.Adam(model.parameters(), 1e-3)
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(xa))
        for i in range(0, len(xa), 64):
            j = perm[i:i + 64]
            opt.zero_grad()
            loss_fn(model(xa[j], ra[j]), labels[j]).backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            p = torch.cat([model(xb[i:i + 4096], rb[i:i + 4096]) for i in range(0, len(xb), 4096)]).argmax(1).numpy()
        print(epoch + 1, aami(yte, p), flush=True)


if __name__ == "__main__":
    main()
