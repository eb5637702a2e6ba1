#!/usr/bin/env python3
"""PyTorch timing peer of the GPU check: seconds per epoch of the chapter's
seq2seq_lstm, seq2seq_gru, conv_gru and wavenet on the book's set-up, and one
training step of a 2-layer LSTM, on a CUDA GPU (cuDNN) or on the CPU.

The models, their initialisation, the data and the training loop are those of
the chapter's PyTorch reference, shared/peers/pytorch/run_all.py (CPU only, and
outside the repository, so the GPU machine does not have it); --check-peer DIR
checks that they still are. What differs is what a fast GPU run needs:

  * the data sits on the device; each epoch's shuffle (torch.randperm with
    the reference's seeding) is copied there once;
  * the training loss is summed on the device and read once per epoch, so
    no step waits for the GPU (the reference reads it every step);
  * cuDNN is on with its autotuner (torch.backends.cudnn.benchmark); TF32 is
    off unless --tf32, so that the arithmetic is float32 as seqcast's is;
  * torch.cuda.synchronize() before every clock read.

An epoch's time includes its validation pass, as seqcast's does; the seconds
per epoch are the median over the epochs after the first (the warm-up: lazy
initialisation, cuDNN's autotuning).

The LSTM step (--step-*) is BenchmarkLSTMTrainStep's network (cuda tests):
nn.LSTM(F, H, num_layers=2) over T steps, then Linear(H, 10) on every step,
MSE; forward and backward, no optimiser update; batch 256, 256 units, 8
features, 50 steps by default. It is timed with TF32 off, and also on when
the device is a GPU (reported apart).

Usage:
  python3 scripts/pytorch/cudnn_bench.py --device cuda --json out.json
  /usr/bin/python3 scripts/pytorch/cudnn_bench.py --device cpu --series 300 --epochs 2 \\
      --step-batch 8 --step-units 16            # here, with no GPU: tiny sizes
  /usr/bin/python3 scripts/pytorch/cudnn_bench.py --check-peer ../shared/peers/pytorch

The JSON (stdout, and --json FILE rewritten atomically after every
measurement, so that a run stopped by a timeout keeps what it measured):
  {"env": {...}, "config": {...}, "epochs": [{"experiment", "batch",
   "sec_per_epoch", "epoch_s", ...}], "lstm_step": [{"batch", "units",
   "tf32", "sec_per_step", ...}], "errors": [...]}

Exit status: 0 when every measurement was made; 1 when one failed (the
others are still made and written); 2 on bad arguments; 3 when --device cuda
finds no usable GPU or no cuDNN (nothing is measured: the comparison would
not be against cuDNN).
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time
import traceback

# As in the reference: torch's OpenMP pool must not busy-wait on a shared
# machine. Set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

N_STEPS = 50
EXPERIMENTS = {
    # name: (learning rate, target slice), all on the sequence-to-sequence data
    "seq2seq_lstm": (1e-3, None),
    "seq2seq_gru": (1e-3, None),
    "conv_gru": (1e-3, slice(3, None, 2)),
    "wavenet": (1e-3, None),
}


def log(msg):
    print("cudnn_bench: " + msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# data and models: run_all.py's (the book's generator and Keras' defaults)
# ---------------------------------------------------------------------------
def generate_time_series(batch_size, n_steps):
    freq1, freq2, offsets1, offsets2 = np.random.rand(4, batch_size, 1)
    time_ = np.linspace(0, 1, n_steps)
    series = 0.5 * np.sin((time_ - offsets1) * (freq1 * 10 + 10))
    series += 0.2 * np.sin((time_ - offsets2) * (freq2 * 20 + 20))
    series += 0.1 * (np.random.rand(batch_size, n_steps) - 0.5)
    return series[..., np.newaxis].astype(np.float32)


def data_seq2seq(n_series):
    """run_all.data_seq2seq for n_series series (10,000 in the book), split 70/20/10."""
    np.random.seed(42)
    series = generate_time_series(n_series, N_STEPS + 10)
    Y = np.empty((n_series, N_STEPS, 10), dtype=np.float32)
    for step_ahead in range(1, 10 + 1):
        Y[..., step_ahead - 1] = series[..., step_ahead:step_ahead + N_STEPS, 0]
    a, b = n_series * 7 // 10, n_series * 9 // 10
    return dict(X_train=series[:a, :N_STEPS], y_train=Y[:a],
                X_valid=series[a:b, :N_STEPS], y_valid=Y[a:b])


def dense(n_in, n_out):
    lin = nn.Linear(n_in, n_out)
    nn.init.xavier_uniform_(lin.weight)
    nn.init.zeros_(lin.bias)
    return lin


def conv1d(c_in, c_out, k, stride=1, dilation=1):
    c = nn.Conv1d(c_in, c_out, k, stride=stride, dilation=dilation)
    nn.init.xavier_uniform_(c.weight)
    nn.init.zeros_(c.bias)
    return c


def keras_rnn(kind, n_in, units):
    cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind]
    m = cls(n_in, units, batch_first=True)
    nn.init.xavier_uniform_(m.weight_ih_l0)
    nn.init.orthogonal_(m.weight_hh_l0)
    nn.init.zeros_(m.bias_ih_l0)
    nn.init.zeros_(m.bias_hh_l0)
    if kind == "lstm":
        with torch.no_grad():
            m.bias_ih_l0[units:2 * units].fill_(1.0)
    if kind in ("rnn", "lstm"):  # Keras has one bias: the second stays 0
        m.bias_hh_l0.requires_grad_(False)
    return m


class RNNLayer(nn.Module):
    def __init__(self, kind, n_in, units, return_sequences):
        super().__init__()
        self.rnn = keras_rnn(kind, n_in, units)
        self.return_sequences = return_sequences

    def forward(self, x):
        out, _ = self.rnn(x)
        return out if self.return_sequences else out[:, -1]


class ConvFront(nn.Module):
    def __init__(self, conv, causal_pad=0, act=None):
        super().__init__()
        self.conv, self.causal_pad, self.act = conv, causal_pad, act

    def forward(self, x):
        y = x.transpose(1, 2)
        if self.causal_pad:
            y = F.pad(y, (self.causal_pad, 0))
        y = self.conv(y)
        if self.act is not None:
            y = self.act(y)
        return y.transpose(1, 2)


def wavenet():
    layers = []
    c_in = 1
    for rate in (1, 2, 4, 8) * 2:
        layers.append(ConvFront(conv1d(c_in, 20, 2, dilation=rate), causal_pad=(2 - 1) * rate, act=F.relu))
        c_in = 20
    layers.append(ConvFront(conv1d(20, 10, 1)))
    return nn.Sequential(*layers)


def seed_all():
    np.random.seed(42)
    torch.manual_seed(42)


def build(name):
    """run_all.build(name) for the four timed experiments, seeded the same way."""
    seed_all()
    R = RNNLayer
    if name == "seq2seq_lstm":
        return nn.Sequential(R("lstm", 1, 20, True), R("lstm", 20, 20, True), dense(20, 10))
    if name == "seq2seq_gru":
        return nn.Sequential(R("gru", 1, 20, True), R("gru", 20, 20, True), dense(20, 10))
    if name == "conv_gru":
        return nn.Sequential(ConvFront(conv1d(1, 20, 4, stride=2)),
                             R("gru", 20, 20, True), R("gru", 20, 20, True), dense(20, 10))
    if name == "wavenet":
        return wavenet()
    raise KeyError(name)


def n_params(model):
    return int(sum(p.numel() for p in model.parameters() if p.requires_grad))


# ---------------------------------------------------------------------------
# device, precision, timing
# ---------------------------------------------------------------------------
def new_precision_api():
    """torch 2.9 and later: per-backend fp32_precision settings."""
    def has(obj, *path):
        try:  # torch's backend modules raise AssertionError, not AttributeError, for unknown names
            for name in path:
                obj = getattr(obj, name)
        except Exception:  # noqa: BLE001
            return False
        return True
    b = torch.backends
    return (has(b, "cuda", "matmul", "fp32_precision") and has(b, "cudnn", "conv", "fp32_precision")
            and has(b, "cudnn", "rnn", "fp32_precision"))


def set_tf32(on):
    """TF32 in cuBLAS products and cuDNN (convolutions, RNNs) on or off."""
    if new_precision_api():
        mode = "tf32" if on else "ieee"
        torch.backends.cuda.matmul.fp32_precision = mode
        torch.backends.cudnn.conv.fp32_precision = mode
        torch.backends.cudnn.rnn.fp32_precision = mode
        got = set(tf32_state().values())
        want = {mode}
    else:
        torch.backends.cuda.matmul.allow_tf32 = on
        torch.backends.cudnn.allow_tf32 = on
        got, want = set(tf32_state().values()), {on}
    if got != want:
        raise RuntimeError("TF32 %s did not take: torch reports %s" % ("on" if on else "off", tf32_state()))


def tf32_state():
    if new_precision_api():
        return {"matmul": torch.backends.cuda.matmul.fp32_precision,
                "cudnn_conv": torch.backends.cudnn.conv.fp32_precision,
                "cudnn_rnn": torch.backends.cudnn.rnn.fp32_precision}
    return {"matmul_allow_tf32": torch.backends.cuda.matmul.allow_tf32,
            "cudnn_allow_tf32": torch.backends.cudnn.allow_tf32}


def make_sync(dev):
    if dev.type == "cuda":
        return lambda: torch.cuda.synchronize(dev)
    return lambda: None


def cuda_problem():
    """Why --device cuda cannot run here, or None."""
    if not torch.cuda.is_available():
        built = torch.version.cuda or "no CUDA (a CPU-only build)"
        return ("torch %s (built with %s) sees no CUDA GPU (torch.cuda.is_available() is False; "
                "check nvidia-smi and CUDA_VISIBLE_DEVICES); use --device cpu to run on the CPU"
                % (torch.__version__, built))
    if not torch.backends.cudnn.is_available():
        return ("torch %s has no cuDNN (torch.backends.cudnn.is_available() is False): the timings would "
                "not be cuDNN's" % torch.__version__)
    return None


def env_info(dev):
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    e = {"torch": torch.__version__, "numpy": np.__version__, "python": platform.python_version(),
         "device": str(dev), "cpu": cpu, "nproc": os.cpu_count(), "torch_threads": torch.get_num_threads(),
         "adam": "torch.optim.Adam defaults (foreach where available)"}
    if dev.type == "cuda":
        p = torch.cuda.get_device_properties(dev)
        e.update({"gpu": p.name, "cuda": torch.version.cuda, "cudnn": torch.backends.cudnn.version(),
                  "cudnn_enabled": torch.backends.cudnn.enabled, "cudnn_benchmark": torch.backends.cudnn.benchmark,
                  "tf32": tf32_state()})
    return e


# ---------------------------------------------------------------------------
# measurements
# ---------------------------------------------------------------------------
def time_epochs(name, d, batch, epochs, dev):
    """Trains run_all's model for epochs epochs; returns the epoch timings."""
    lr, tslice = EXPERIMENTS[name]
    sync = make_sync(dev)
    Xtr, Ytr = torch.from_numpy(d["X_train"]).to(dev), torch.from_numpy(d["y_train"]).to(dev)
    Xva, Yva = torch.from_numpy(d["X_valid"]).to(dev), torch.from_numpy(d["y_valid"]).to(dev)
    if tslice is not None:
        Ytr, Yva = Ytr[:, tslice].contiguous(), Yva[:, tslice].contiguous()
    model = build(name).to(dev)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=1e-7)  # Keras' defaults
    n = len(Xtr)
    epoch_s, train_s, losses, val = [], [], [], []
    for _ in range(epochs):
        sync()
        t0 = time.perf_counter()
        model.train()
        perm = torch.randperm(n).to(dev)
        tot = torch.zeros((), device=dev)
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            xb, yb = Xtr[idx], Ytr[idx]
            opt.zero_grad(set_to_none=True)
            loss = F.mse_loss(model(xb), yb)
            loss.backward()
            opt.step()
            tot += loss.detach() * len(idx)
        sync()
        t1 = time.perf_counter()
        model.eval()
        with torch.no_grad():
            pred = torch.cat([model(Xva[i:i + 1000]) for i in range(0, len(Xva), 1000)])
            v = float(F.mse_loss(pred, Yva))  # reads the GPU: the epoch's end
        losses.append(float(tot) / n)
        sync()
        t2 = time.perf_counter()
        epoch_s.append(t2 - t0)
        train_s.append(t1 - t0)
        val.append(v)
    timed = epoch_s[1:] if len(epoch_s) > 1 else epoch_s
    return {"experiment": name, "batch": batch, "epochs": epochs, "params": n_params(model),
            "train_series": n, "sec_per_epoch": statistics.median(timed), "warmup_excluded": len(epoch_s) > 1,
            "epoch_s": [round(s, 5) for s in epoch_s], "train_s": [round(s, 5) for s in train_s],
            "train_loss": losses, "val_mse": val}


def time_lstm_step(batch, units, features, steps, dev, tf32, rounds):
    """One training step (forward, backward) of BenchmarkLSTMTrainStep's network."""
    sync = make_sync(dev)
    torch.manual_seed(1)
    lstm = nn.LSTM(features, units, num_layers=2, batch_first=True)
    head = nn.Linear(units, 10)
    lstm, head = lstm.to(dev), head.to(dev)
    params = list(lstm.parameters()) + list(head.parameters())
    x = torch.rand(batch, steps, features, device=dev)
    y = torch.rand(batch, steps, 10, device=dev)
    if dev.type == "cuda":
        set_tf32(tf32)

    def step():
        for p in params:
            p.grad = None
        out, _ = lstm(x)
        F.mse_loss(head(out), y).backward()

    try:
        for _ in range(5):  # warm-up: cuDNN's plans, the caching allocator
            step()
        sync()
        t0 = time.perf_counter()
        step()
        sync()
        one = time.perf_counter() - t0
        per_round = max(1, min(100, int(0.25 / max(one, 1e-6))))
        times = []
        for _ in range(rounds):
            sync()
            t0 = time.perf_counter()
            for _ in range(per_round):
                step()
            sync()
            times.append((time.perf_counter() - t0) / per_round)
    finally:
        if dev.type == "cuda":
            set_tf32(False)
    return {"batch": batch, "units": units, "features": features, "steps": steps, "layers": 2,
            "tf32": tf32, "what": "forward + backward, no optimiser update (as BenchmarkLSTMTrainStep)",
            "sec_per_step": statistics.median(times), "rounds": [round(s, 7) for s in times],
            "steps_per_round": per_round}


# ---------------------------------------------------------------------------
# the check of this copy against run_all.py
# ---------------------------------------------------------------------------
def check_peer(peer_dir):
    """Same data and same initial weights as run_all.py's, for every timed experiment."""
    sys.path.insert(0, os.path.abspath(peer_dir))
    import run_all  # noqa: E402  (the reference)
    bad = 0
    ref = run_all.data_seq2seq()
    mine = data_seq2seq(10000)
    for k in mine:
        if not np.array_equal(ref[k], mine[k]):
            log("check-peer: data %s differs from run_all.data_seq2seq()" % k)
            bad += 1
    for name, (lr, tslice) in EXPERIMENTS.items():
        if run_all.EXPERIMENTS[name][3] != lr or run_all.EXPERIMENTS[name][5] != tslice:
            log("check-peer: %s: learning rate or target slice differ from run_all.EXPERIMENTS" % name)
            bad += 1
        a, b = run_all.build(name).state_dict(), build(name).state_dict()
        if list(a) != list(b) or any(not torch.equal(a[k], b[k]) for k in a):
            log("check-peer: %s: initial weights differ from run_all.build(%r)" % (name, name))
            bad += 1
            continue
        ra, rb = run_all.build(name), build(name)
        if [p.requires_grad for p in ra.parameters()] != [p.requires_grad for p in rb.parameters()]:
            log("check-peer: %s: trainable parameters differ" % name)
            bad += 1
            continue
        print("check-peer: %s: same data, weights and trainable parameters (%d) as run_all.py"
              % (name, n_params(rb)))
    return bad


# ---------------------------------------------------------------------------
def write_json(path, doc):
    if not path:
        return
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1)
    os.replace(tmp, path)


def int_list(s, flag):
    try:
        v = [int(x) for x in s.split(",") if x]
    except ValueError:
        raise SystemExit("cudnn_bench: %s %r: want comma-separated whole numbers" % (flag, s))
    if not v or min(v) < 1:
        raise SystemExit("cudnn_bench: %s %r: want numbers of at least 1" % (flag, s))
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    ap.add_argument("--exp", default=",".join(EXPERIMENTS),
                    help="experiments to time, comma-separated (default: %(default)s); 'none' for none")
    ap.add_argument("--batch", default="32,256", help="batch sizes, comma-separated (default: %(default)s)")
    ap.add_argument("--epochs", type=int, default=3, help="epochs per run; the first is the warm-up (default 3)")
    ap.add_argument("--series", type=int, default=10000, help="generated series, split 70/20/10 (book: 10000)")
    ap.add_argument("--no-step", action="store_true", help="skip the LSTM training step")
    ap.add_argument("--step-batch", type=int, default=256)
    ap.add_argument("--step-units", type=int, default=256)
    ap.add_argument("--step-features", type=int, default=8)
    ap.add_argument("--step-steps", type=int, default=50)
    ap.add_argument("--step-rounds", type=int, default=7, help="timed rounds of the step; the median is reported")
    ap.add_argument("--tf32", action="store_true", help="allow TF32 in the epoch timings too (default: float32)")
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (default: torch's)")
    ap.add_argument("--json", default="", help="also write the JSON to this file")
    ap.add_argument("--check-peer", metavar="DIR",
                    help="check the data and models against DIR/run_all.py and exit")
    a = ap.parse_args()
    if a.check_peer:
        sys.exit(1 if check_peer(a.check_peer) else 0)
    names = [] if a.exp == "none" else [x for x in a.exp.split(",") if x]
    for n in names:
        if n not in EXPERIMENTS:
            ap.error("--exp %s: unknown experiment (want some of %s, or none)" % (n, ",".join(EXPERIMENTS)))
    batches = int_list(a.batch, "--batch")
    for flag, v, lo in (("--epochs", a.epochs, 1), ("--series", a.series, 20), ("--step-batch", a.step_batch, 1),
                        ("--step-units", a.step_units, 1), ("--step-features", a.step_features, 1),
                        ("--step-steps", a.step_steps, 1), ("--step-rounds", a.step_rounds, 1),
                        ("--threads", a.threads, 0)):
        if v < lo:
            ap.error("%s %d: must be at least %d" % (flag, v, lo))
    if a.threads:
        torch.set_num_threads(a.threads)
    if a.device == "cuda":
        why = cuda_problem()
        if why:
            log("--device cuda: " + why)
            sys.exit(3)
        dev = torch.device("cuda", 0)
        torch.backends.cudnn.enabled = True
        torch.backends.cudnn.benchmark = True
    else:
        dev = torch.device("cpu")
    errors = []
    if dev.type == "cuda":
        try:
            set_tf32(a.tf32)
        except Exception as e:  # noqa: BLE001  (measure anyway; the JSON says what the settings were)
            errors.append("precision: %s" % e)
            log("precision: %s" % e)

    doc = {"env": env_info(dev),
           "config": {"experiments": names, "batches": batches, "epochs": a.epochs, "series": a.series,
                      "tf32_in_epochs": a.tf32 and dev.type == "cuda"},
           "epochs": [], "lstm_step": [], "errors": errors}
    write_json(a.json, doc)
    start = time.perf_counter()

    def attempt(what, fn, into):
        try:
            r = fn()
        except Exception as e:  # noqa: BLE001  (one failure must not hide the other measurements)
            traceback.print_exc()
            doc["errors"].append("%s: %s: %s" % (what, type(e).__name__, e))
            log("%s: FAILED: %s" % (what, e))
        else:
            into.append(r)
            for key in ("sec_per_step", "sec_per_epoch"):
                if key in r:
                    log("%s: %.4g s (%.0f s so far)" % (what, r[key], time.perf_counter() - start))
        write_json(a.json, doc)

    if not a.no_step:
        tf32s = [False, True] if dev.type == "cuda" else [False]
        for tf in tf32s:
            attempt("lstm step b%d h%d%s" % (a.step_batch, a.step_units, " tf32" if tf else ""),
                    lambda: time_lstm_step(a.step_batch, a.step_units, a.step_features, a.step_steps, dev, tf,
                                           a.step_rounds), doc["lstm_step"])
        if dev.type == "cuda":
            attempt("precision for the epochs", lambda: set_tf32(a.tf32) or {"tf32": tf32_state()}, [])
    if names:
        d = data_seq2seq(a.series)
        for n in names:  # experiment by experiment: a timeout leaves the first ones whole
            for b in batches:
                attempt("%s b%d" % (n, b), lambda: time_epochs(n, d, b, a.epochs, dev), doc["epochs"])
    doc["seconds"] = round(time.perf_counter() - start, 2)
    write_json(a.json, doc)
    print(json.dumps(doc))
    sys.exit(1 if doc["errors"] else 0)


if __name__ == "__main__":
    main()
