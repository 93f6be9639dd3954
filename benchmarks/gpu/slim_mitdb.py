"""Copies MIT-BIH with the lead that ecg does not read set to zero, so that it packs into half the bytes.

ecg extracts beats from MLII alone (signal 0; signal 1 in record 114). Zeroing the other signal of each
format-212 file, and its checksum and initial value in the .hea, leaves every extracted beat unchanged while
the .dat files compress to about half: the CLI and the records then fit in one 64 MiB device call.
Usage: python3 slim_mitdb.py SRC_DIR DST_DIR
"""
import os
import shutil
import sys

src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst, exist_ok=True)
for name in sorted(os.listdir(src)):
    if not name.endswith(".hea"):
        if not name.endswith(".dat"):
            shutil.copy(os.path.join(src, name), os.path.join(dst, name))
        continue
    record = name[:-4]
    keep = 1 if record == "114" else 0
    lines = open(os.path.join(src, name)).read().splitlines()
    head = lines[0].split()
    assert head[1] == "2", f"{name}: expected two signals"
    data = bytearray(open(os.path.join(src, record + ".dat"), "rb").read())
    n = int(head[3])
    for i in range(n):
        if keep == 0:
            data[3 * i + 1] &= 0x0F  # signal 1: high nibble of byte 1 and all of byte 2
            data[3 * i + 2] = 0
        else:
            data[3 * i] = 0  # signal 0: byte 0 and the low nibble of byte 1
            data[3 * i + 1] &= 0xF0
    open(os.path.join(dst, record + ".dat"), "wb").write(data)
    drop = 2 - keep  # header line of the zeroed signal
    f = lines[drop].split()
    f[5], f[6] = "0", "0"  # initial value, checksum
    lines[drop] = " ".join(f)
    open(os.path.join(dst, name), "w").write("\n".join(lines) + "\n")
