#!/usr/bin/env python3
"""Loads a weight file written by `ecg train` (safetensors) into the PyTorch version of its model from
models_bench.py, applies the preprocessing stored in the file, and compares the probabilities with
those `ecg predict` wrote for the same beats.

usage: load_ecg_weights.py --weights model.safetensors --input beats.csv --predictions predictions.csv [--tolerance 1e-4]

Our layouts against PyTorch's: Conv1D kernel (F, C, K) = Conv1d.weight; Dense kernel (in, units) =
Linear.weight transposed; LSTM kernel (I, 4H) and recurrent_kernel (H, 4H) = weight_ih_l0 / weight_hh_l0
transposed, with the same gate order (i, f, c, o), our one bias = bias_ih_l0 and bias_hh_l0 = 0.
Layers are named as ecg's Sequential names them: the type in lower case, then _1, _2 ... for repeats.
"""
import argparse, json, struct, sys
import numpy as np
import torch
import torch.nn as nn

import models_bench as mb


def read_safetensors(path):
    """(tensors by name as float32 arrays, metadata): Python's safetensors where present, else the format read here."""
    try:
        from safetensors.numpy import load_file
        from safetensors import safe_open
        with safe_open(path, "np") as f:
            return load_file(path), dict(f.metadata() or {})
    except ImportError:
        pass
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))  # header length, little-endian u64
        header = json.loads(f.read(n).decode("utf-8").rstrip(" "))
        data = f.read()
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, t in header.items():
        if t["dtype"] != "F32":
            raise SystemExit(f"{path}: tensor {name} has dtype {t['dtype']}, expected F32")
        begin, end = t["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype="<f4").reshape(t["shape"]).astype(np.float32)
    return tensors, meta


def ecg_names(model):
    """(our layer name, module) for the modules that hold weights, in ecg's order and naming."""
    counts = {}
    for m in model:
        key = ("conv1d" if isinstance(m, nn.Conv1d) else "dense" if isinstance(m, nn.Linear)
               else "lstm" if isinstance(m, (mb.LastStep, mb.Seq)) else "residualblock" if isinstance(m, mb.Residual)
               else "maxpooling1d" if isinstance(m, nn.MaxPool1d) else "dropout" if isinstance(m, nn.Dropout)
               else "flatten" if isinstance(m, nn.Flatten) else "permute" if isinstance(m, mb.Permute) else None)
        if key is None:
            continue  # activations: part of ecg's Conv1D/Dense
        counts[key] = counts.get(key, 0) + 1
        yield (key if counts[key] == 1 else f"{key}_{counts[key] - 1}"), m


def load(model, tensors):
    used = set()

    def take(name):
        if name not in tensors:
            raise SystemExit(f"the weight file has no tensor {name}")
        used.add(name)
        return torch.from_numpy(tensors[name].copy())

    def conv(module, prefix):
        module.weight.copy_(take(prefix + ".kernel"))
        module.bias.copy_(take(prefix + ".bias"))

    with torch.no_grad():
        for name, m in ecg_names(model):
            if isinstance(m, nn.Conv1d):
                conv(m, name)
            elif isinstance(m, nn.Linear):
                m.weight.copy_(take(name + ".kernel").T)
                m.bias.copy_(take(name + ".bias"))
            elif isinstance(m, mb.Residual):
                conv(m.a, name + ".conv_a")
                conv(m.b, name + ".conv_b")
            elif isinstance(m, (mb.LastStep, mb.Seq)):
                lstm = m.lstm
                lstm.weight_ih_l0.copy_(take(name + ".kernel").T)
                lstm.weight_hh_l0.copy_(take(name + ".recurrent_kernel").T)
                lstm.bias_ih_l0.copy_(take(name + ".bias"))
                lstm.bias_hh_l0.zero_()
    left = set(n for n in tensors if not n.startswith("__state__.")) - used
    if left:
        raise SystemExit(f"tensors the PyTorch model has no place for: {sorted(left)}")


def preprocess(beats, meta):
    """The stored transform of `ecg predict`: the selected columns, then (x - offset) * scale, in float32."""
    if "preprocessing" not in meta:
        return beats
    p = json.loads(meta["preprocessing"])
    if p.get("features") is not None:
        beats = beats[:, p["features"]]
    if p.get("scaler") is not None:
        beats = (beats - np.asarray(p["offset"], np.float32)) * np.asarray(p["scale"], np.float32)
    return beats.astype(np.float32)


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--weights", required=True)
    a.add_argument("--input", required=True, help="beats as `ecg predict` read them (Kaggle CSV, label column optional)")
    a.add_argument("--predictions", required=True, help="what `ecg predict --output` wrote for --input")
    a.add_argument("--tolerance", type=float, default=1e-4)
    args = a.parse_args()
    torch.set_num_threads(1)
    tensors, meta = read_safetensors(args.weights)
    name = meta.get("model")
    model, length, layout = mb.make(name)
    load(model, tensors)
    model.eval()
    rows = np.loadtxt(args.input, delimiter=",", dtype=np.float32, ndmin=2)
    beats = rows[:, :187]
    x = torch.from_numpy(preprocess(beats, meta))
    if x.shape[1] != length:
        raise SystemExit(f"{name} takes {length} values, the preprocessed beats have {x.shape[1]}")
    x = x.unsqueeze(1) if layout == "conv" else x.unsqueeze(2)
    with torch.no_grad():
        ours_torch = model(x).softmax(-1).numpy()
    ecg = np.loadtxt(args.predictions, delimiter=",", skiprows=1, usecols=range(4, 9), dtype=np.float64, ndmin=2)
    diff = np.abs(ours_torch - ecg).max()
    agree = (ours_torch.argmax(1) == ecg.argmax(1)).mean()
    print(f"{name}: {len(ecg)} beats, largest |p_torch - p_ecg| = {diff:.2e}, same class {agree:.2%}, PyTorch {torch.__version__}")
    sys.exit(0 if diff <= args.tolerance else 1)


if __name__ == "__main__":
    main()
