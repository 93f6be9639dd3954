import glob
import os

import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def load(name):
    """'sample': the shipped data/mitbih-sample; else the inter-patient beats ecg cached from --mitdb."""
    if name == 'sample':
        tr = np.loadtxt(os.path.join(REPO, 'data/mitbih-sample/mitbih_train.csv.gz'), delimiter=',', dtype=np.float32)
        te = np.loadtxt(os.path.join(REPO, 'data/mitbih-sample/mitbih_test.csv.gz'), delimiter=',', dtype=np.float32)
    else:
        cache = os.environ.get('ECG_CACHE', os.path.expanduser('~/.cache/ecggpu/beats'))
        d = sorted(glob.glob(os.path.join(cache, 'mitdb-inter-patient-1-*')))[0]
        tr = np.loadtxt(d + '/mitbih_train.csv', delimiter=',', dtype=np.float32)
        te = np.loadtxt(d + '/mitbih_test.csv', delimiter=',', dtype=np.float32)
    return tr[:, :187], tr[:, 187].astype(np.int64), te[:, :187], te[:, 187].astype(np.int64)


def tail(X):
    """Length of each beat's zero tail."""
    nz = (X != 0)
    last = 187 - np.argmax(nz[:, ::-1], axis=1)
    return 187 - last
