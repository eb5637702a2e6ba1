#!/usr/bin/env python3
"""gpu-report.py: the tables of the GPU check (scripts/gpu-check.sh), from the
files its steps wrote into one folder. The standard library only.

    python3 gpu-report.py DIR        # Markdown on stdout; exit 1 when parity fails

Reads from DIR:
  parity-{float32,float64}-cpu.json, parity-{dtype}-cuda-EXP.json
                       seqcast bench --json of the parity runs (every family)
  bench.txt            go test -bench LSTMTrainStep output (cuda.test)
  pytorch.json         scripts/pytorch/cudnn_bench.py --json
  epoch-{cuda,cpu}-EXP-bB.json
                       seqcast bench --json of the timing runs

Prints the ratio line (seqcast's GPU time over PyTorch cuDNN's, and over
seqcast's CPU path's), the seconds-per-epoch and LSTM-step tables, and the
parity tables. Parity: float32 train losses within 1e-4 (relative; the
validation MSE is shown, not judged: Adam divides by the root of the squared
gradients, so components that are rounding noise, the layer norm's, take
full steps in different directions on the two devices), float64 train
losses and validation MSEs within 1e-9. A missing timing is n/a, not a
failure here: the check fails the step that did not produce it.
"""
import glob
import json
import os
import re
import statistics
import sys

TIMED = ["seq2seq_lstm", "seq2seq_gru", "conv_gru", "wavenet"]
BATCHES = [32, 256]
STEP = "B256_H256"  # BenchmarkLSTMTrainStep's case: batch 256, 256 units, 8 features, 50 steps
PARITY = (("float32", 1e-4, None), ("float64", 1e-9, 1e-9))


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def results(path):
    doc = load(path)
    if not doc:
        return {}
    return {r["experiment"]: r for r in doc.get("results") or []}


def seqcast_epoch(d, dev, exp, b):
    """seqcast's seconds per epoch, the first (warm-up) epoch left out, and the run's device."""
    r = results(os.path.join(d, "epoch-%s-%s-b%d.json" % (dev, exp, b))).get(exp)
    if not r:
        return None, None
    s = r.get("epoch_seconds") or []
    if len(s) > 1:
        return statistics.median(s[1:]), r.get("device")
    return r.get("sec_per_epoch"), r.get("device")


def pytorch(d):
    doc = load(os.path.join(d, "pytorch.json")) or {}
    ep = {(r["experiment"], r["batch"]): r["sec_per_epoch"] for r in doc.get("epochs") or []}
    step = {bool(r["tf32"]): r for r in doc.get("lstm_step") or []}
    return doc, ep, step


def go_bench(d):
    """BenchmarkLSTMTrainStep's seconds per step by (case, device)."""
    out = {}
    try:
        text = open(os.path.join(d, "bench.txt")).read()
    except OSError:
        return out
    for m in re.finditer(r"^BenchmarkLSTMTrainStep/(\w+)/(cpu|gpu)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op", text, re.M):
        out[(m.group(1), m.group(2))] = float(m.group(3)) * 1e-9
    return out


def ratio(a, b):
    if a is None or b is None or b <= 0:
        return "n/a"
    return "%.3g" % (a / b)


def secs(x):
    if x is None:
        return "n/a"
    if x >= 10:
        return "%.1f s" % x
    if x >= 0.1:
        return "%.2f s" % x
    return "%.3g ms" % (x * 1e3)


def speed(d):
    """The ratio line and the speed tables."""
    doc, pt_ep, pt_step = pytorch(d)
    gb = go_bench(d)
    g = {(e, b): seqcast_epoch(d, "cuda", e, b) for e in TIMED for b in BATCHES}
    c = {(e, b): seqcast_epoch(d, "cpu", e, b) for e in TIMED for b in BATCHES}
    step_gpu, step_cpu = gb.get((STEP, "gpu")), gb.get((STEP, "cpu"))
    step_pt = pt_step.get(False, {}).get("sec_per_step")
    step_pt32 = pt_step.get(True, {}).get("sec_per_step")
    L = []
    L.append("gpu-vs-cudnn: seq2seq_lstm_b32=%s seq2seq_lstm_b256=%s lstm_b256_h256_step=%s "
             "gpu-vs-cpu: seq2seq_lstm_b32=%s seq2seq_lstm_b256=%s" % (
                 ratio(g["seq2seq_lstm", 32][0], pt_ep.get(("seq2seq_lstm", 32))),
                 ratio(g["seq2seq_lstm", 256][0], pt_ep.get(("seq2seq_lstm", 256))),
                 ratio(step_gpu, step_pt),
                 ratio(g["seq2seq_lstm", 32][0], c["seq2seq_lstm", 32][0]),
                 ratio(g["seq2seq_lstm", 256][0], c["seq2seq_lstm", 256][0])))
    env = doc.get("env") or {}
    cfg = doc.get("config") or {}
    series = None
    for e in TIMED:
        for b in BATCHES:
            p = os.path.join(d, "epoch-cuda-%s-b%d.json" % (e, b))
            series = series or (load(p) or {}).get("series")
    L.append("")
    L.append("Ratios are seqcast's GPU time over the other's (below 1: seqcast's GPU is faster).")
    L.append("")
    L.append("Seconds per epoch, float32, %s series (70%% for training), validation pass included, median of "
             "the epochs after the first (seqcast %s epochs, PyTorch %s): seqcast's GPU path (`--device cuda`), "
             "seqcast's CPU path on the same machine, and PyTorch %s with cuDNN %s (TF32 %s, the chapter's "
             "models and training loop as in the reference peer):" % (
                 series or "?", epochs_of(d) or "?", cfg.get("epochs", "?"), env.get("torch", "?"),
                 env.get("cudnn") if env.get("gpu") else "? (it ran on the CPU)",
                 "on" if cfg.get("tf32_in_epochs") else "off"))
    L.append("")
    L.append("| experiment | batch | seqcast GPU | seqcast CPU | PyTorch cuDNN | GPU / cuDNN | GPU / CPU |")
    L.append("|---|---|---|---|---|---|---|")
    for e in TIMED:
        for b in BATCHES:
            gg, cc, pp = g[e, b][0], c[e, b][0], pt_ep.get((e, b))
            L.append("| %s | %d | %s | %s | %s | %s | %s |" % (e, b, secs(gg), secs(cc), secs(pp), ratio(gg, pp),
                                                              ratio(gg, cc)))
    L.append("")
    L.append("One training step (forward and backward, no optimiser update) of two stacked LSTM layers and a "
             "TimeDistributed Dense(10): batch 256, 256 units, 8 features, 50 steps (`BenchmarkLSTMTrainStep/%s`; "
             "PyTorch: `nn.LSTM(num_layers=2)`, median of %s rounds):" % (
                 STEP, pt_step.get(False, {}).get("rounds") and len(pt_step[False]["rounds"]) or "?"))
    L.append("")
    L.append("| | seconds per step | seqcast GPU / this |")
    L.append("|---|---|---|")
    for name, v in (("seqcast GPU", step_gpu), ("seqcast CPU", step_cpu), ("PyTorch cuDNN, float32", step_pt),
                    ("PyTorch cuDNN, TF32", step_pt32)):
        L.append("| %s | %s | %s |" % (name, secs(v), ratio(step_gpu, v)))
    for r in pt_step.values():
        size = (r.get("batch"), r.get("units"), r.get("features"), r.get("steps"))
        if size != (256, 256, 8, 50):
            L.append("")
            L.append("PyTorch's step ran another size (batch %s, %s units, %s features, %s steps): its ratio means "
                     "nothing." % size)
            break
    b32 = (gb.get(("B32_H20", "gpu")), gb.get(("B32_H20", "cpu")))
    if any(b32):
        L.append("")
        L.append("The chapter's size (`B32_H20`: batch 32, 20 units, 1 feature): seqcast GPU %s, CPU %s per step." % (
            secs(b32[0]), secs(b32[1])))
    devs = sorted({v[1] for v in g.values() if v[1]})
    if devs:
        L.append("")
        L.append("seqcast GPU runs' device: %s." % "; ".join(devs))
    if env:
        L.append("PyTorch: %s %s, CUDA %s, cuDNN %s, TF32 settings %s, %s." % (
            env.get("torch"), env.get("gpu", env.get("device")), env.get("cuda"), env.get("cudnn"),
            json.dumps(env.get("tf32")), env.get("adam")))
    for err in doc.get("errors") or []:
        L.append("PyTorch error: %s" % err)
    return L


def epochs_of(d):
    for p in sorted(glob.glob(os.path.join(d, "epoch-cuda-*.json"))):
        for r in results(p).values():
            return r.get("epochs")
    return None


def parity(d):
    """The parity tables; returns (lines, ok)."""
    L, ok = [], True
    for dt, tol_train, tol_valid in PARITY:
        cpu = results(os.path.join(d, "parity-%s-cpu.json" % dt))
        gpu = {}
        for p in sorted(glob.glob(os.path.join(d, "parity-%s-cuda-*.json" % dt))):
            gpu.update(results(p))
        L.append("")
        L.append("Parity, %s: train loss within %g%s (relative), one epoch from seed 42 on each device:" % (
            dt, tol_train, ", valid MSE within %g" % tol_valid if tol_valid else "; valid MSE shown"))
        L.append("")
        L.append("| experiment | CPU train loss | GPU train loss | rel. diff | CPU valid MSE | GPU valid MSE | rel. diff |")
        L.append("|---|---|---|---|---|---|---|")
        if not cpu or not gpu:
            L.append("| (missing results: see parity-*.txt) | | | | | | |")
            ok = False
            continue
        for name, c in cpu.items():
            g = gpu.get(name)
            if g is None:
                L.append("| %s | missing | | | | | |" % name)
                ok = False
                continue
            cells = []
            for key, tol in (("train_loss", tol_train), ("valid_mse", tol_valid)):
                a, b = last(c.get(key)), last(g.get(key))
                if a is None or b is None:
                    cells += [str(a), str(b), "missing"]
                    ok = ok and tol is None
                    continue
                rel = abs(a - b) / max(abs(a), abs(b), 1e-300)
                mark = ""
                if tol is not None and not rel <= tol:  # NaN fails too
                    ok, mark = False, " **FAIL**"
                cells += ["%.10g" % a, "%.10g" % b, "%.2e%s" % (rel, mark)]
            L.append("| %s | %s |" % (name, " | ".join(cells)))
        extra = sorted(set(gpu) - set(cpu))
        if extra:
            L.append("")
            L.append("GPU results without a CPU result: %s." % ", ".join(extra))
            ok = False
        devs = sorted({g.get("device", "?") for g in gpu.values()})
        L.append("")
        L.append("GPU runs' device: %s." % "; ".join(devs))
    return L, ok


def last(v):
    if isinstance(v, list):
        v = v[-1] if v else None
    if v is None:
        return None
    return float(v)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gpu-report.py DIR")
    d = sys.argv[1]
    L = speed(d)
    P, ok = parity(d)
    print("\n".join(L + P))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
