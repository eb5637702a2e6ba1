#!/usr/bin/env python3
"""Loads seqcast's exported state_dicts into the PyTorch reference's models and checks that
PyTorch predicts what seqcast predicted (pytorch.TestExportLoadsInPyTorch runs it).

    /usr/bin/python3 scripts/pytorch/check_export.py --dir DIR [--peer ../shared/peers/pytorch]

DIR holds NAME.safetensors (seqcast's export) and NAME.pred.safetensors (x and seqcast's
prediction) for architectures NAME of the reference. load_state_dict runs with strict=True.
"""
import argparse
import glob
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st  # noqa: E402


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--peer", default=os.path.join(here, "..", "..", "..", "shared", "peers", "pytorch"))
    ap.add_argument("--tol", type=float, default=1e-5)
    a = ap.parse_args()
    sys.path.insert(0, os.path.abspath(a.peer))
    import run_all

    worst, n = 0.0, 0
    for path in sorted(glob.glob(os.path.join(a.dir, "*.pred.safetensors"))):
        name = os.path.basename(path)[: -len(".pred.safetensors")]
        state, _ = st.load(os.path.join(a.dir, name + ".safetensors"))
        io, _ = st.load(path)
        model = run_all.build(name)
        model.load_state_dict(state, strict=True)
        model = model.double().eval()
        with torch.no_grad():
            y = model(io["x"]).reshape(-1)
        d = float((y - io["pred"]).abs().max())
        print(f"{name}: {len(state)} tensors loaded (strict), max |PyTorch - seqcast| = {d:.3g}")
        worst, n = max(worst, d), n + 1
    if n == 0:
        sys.exit("no *.pred.safetensors in " + a.dir)
    if worst > a.tol:
        sys.exit(f"FAIL: max difference {worst:.3g} > {a.tol}")
    print(f"PASS: {n} models, max difference {worst:.3g}")


if __name__ == "__main__":
    main()
