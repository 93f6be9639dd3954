"""cnn-gap on the shipped 2,500-beat sample in PyTorch, with Keras's initialisation (Glorot uniform, zero
bias), Adam(1e-3, eps 1e-7), batch 64 and the seed's L2(0.01) on its Dense(128) kernel: does the seed's
model leave the majority class on this sample, and does standardising its input change that?

    python3 replica.py SEED EPOCHS [raw|std|col|lr3|nol2|collr3]

raw: the beat as shipped (0-1 per beat); std: one mean and std for all samples; col: per-sample-position
StandardScaler (what `ecg` now gives cnn-gap); lr3: learning rate 3e-3; nol2: without the L2 term.
Prints per epoch the training loss, test accuracy and how many test beats go to each class.
Measured 2026-11-23 on the 2-core VM (PyTorch 1.13): raw first answers other than N at epoch 22, col at 5-6.
"""
import gzip, os, sys
import numpy as np
import torch

nn = torch.nn
seed, epochs = int(sys.argv[1]), int(sys.argv[2])
mode = sys.argv[3] if len(sys.argv) > 3 else "raw"
torch.set_num_threads(1)
torch.manual_seed(seed)
sample = os.path.join(os.path.dirname(__file__), "..", "..", "..", "data", "mitbih-sample")


def read(name):
    a = np.loadtxt(gzip.open(os.path.join(sample, name)), delimiter=",", dtype=np.float32)
    return torch.tensor(a[:, None, :187]), torch.tensor(a[:, 187].astype(np.int64))


xa, ya = read("mitbih_train.csv.gz")
xb, yb = read("mitbih_test.csv.gz")
if "std" in mode:
    mean, std = xa.mean(), xa.std()
    xa, xb = (xa - mean) / std, (xb - mean) / std
if "col" in mode:
    mean, std = xa.mean(0, keepdim=True), xa.std(0, keepdim=True) + 1e-6
    xa, xb = (xa - mean) / std, (xb - mean) / std
lr = 3e-3 if "lr3" in mode else 1e-3
l2 = 0.0 if "nol2" in mode else 0.01

model = nn.Sequential(
    nn.Conv1d(1, 64, 3), nn.ReLU(), nn.MaxPool1d(2), nn.Dropout(0.3),
    nn.Conv1d(64, 128, 5), nn.ReLU(), nn.MaxPool1d(2), nn.Dropout(0.3),
    nn.Conv1d(128, 256, 3), nn.ReLU(), nn.AdaptiveAvgPool1d(1), nn.Flatten(),
    nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.4), nn.Linear(128, 5))
for m in model:
    if isinstance(m, (nn.Conv1d, nn.Linear)):
        nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)
dense = model[12]
opt = torch.optim.Adam(model.parameters(), lr, eps=1e-7)
for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(xa))
    total = 0.0
    for i in range(0, len(xa), 64):
        j = perm[i:i + 64]
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xa[j]), ya[j]) + l2 * (dense.weight ** 2).sum()
        loss.backward()
        opt.step()
        total += loss.item() * len(j)
    model.eval()
    with torch.no_grad():
        p = model(xb).argmax(1)
    print(epoch + 1, "loss %.4f" % (total / len(xa)), "acc %.4f" % (p == yb).float().mean().item(),
          "classes", np.bincount(p.numpy(), minlength=5), flush=True)
