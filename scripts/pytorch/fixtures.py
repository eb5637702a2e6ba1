#!/usr/bin/env python3
"""Makes pytorch/testdata: the chapter's architectures as built by the PyTorch reference
(../shared/peers/pytorch/run_all.py), every weight perturbed (so that bias_hh, which the
reference keeps at 0, is not), saved as float32 state_dicts in safetensors; and, for each,
a random input and the reference's prediction computed in float64 from those float32 weights.

    /usr/bin/python3 scripts/pytorch/fixtures.py [--peer ../shared/peers/pytorch] [--out pytorch/testdata]

Needs Debian's python3-torch only.
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st  # noqa: E402

ARCHS = ["linear1", "deep_rnn_dense", "seq2vec_rnn", "seq2seq_lstm", "seq2seq_gru", "conv_gru", "wavenet"]


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--peer", default=os.path.join(here, "..", "..", "..", "shared", "peers", "pytorch"))
    ap.add_argument("--out", default=os.path.join(here, "..", "..", "pytorch", "testdata"))
    a = ap.parse_args()
    sys.path.insert(0, os.path.abspath(a.peer))
    import run_all  # the reference's model builders

    os.makedirs(a.out, exist_ok=True)
    for name in ARCHS:
        model = run_all.build(name)
        g = torch.Generator().manual_seed(len(name))
        with torch.no_grad():
            for p in model.state_dict().values():
                p.add_(0.2 * torch.randn(p.shape, generator=g))
        state = {k: v.clone() for k, v in model.state_dict().items()}
        st.save(os.path.join(a.out, name + ".safetensors"), state, {"arch": name, "made_by": "scripts/pytorch/fixtures.py"})
        x = torch.randn(3, 50, 1, generator=g, dtype=torch.float64)
        model = model.double().eval()
        with torch.no_grad():
            y = model(x)
        st.save(os.path.join(a.out, name + ".io.safetensors"), {"x": x, "y": y}, {"arch": name})
        print(f"{name}: {sum(v.numel() for v in state.values())} weights, y {tuple(y.shape)}")


if __name__ == "__main__":
    main()
