#!/usr/bin/env python3
"""Opens seqcast model files (format_version 3) with nothing but json and struct, as any
safetensors reader would, and checks them: both checksums, every tensor's size, the
Forecaster's entries. With torch importable (Debian's /usr/bin/python3 has python3-torch)
it reads every tensor with torch too and compares.

    python3 scripts/check-model-file.py testdata/modelfiles/v3/*.model

For a linear model with its fixture JSON beside it (testdata/modelfiles), it also
forecasts from the fixture's history in plain Python, scaled with the file's scaler and
through its dense/w and dense/b, and compares with the forecast seqcast recorded.
"""
import hashlib
import json
import os
import struct
import sys

SIZES = {"F32": ("<f", 4), "F64": ("<d", 8)}


def read(path):
    """Returns (metadata, {name: (dtype, shape, values)}, raw tensor data in file order)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    head = json.loads(data[8:8 + n])
    meta = head.pop("__metadata__", {})
    body = data[8 + n:]
    tensors, ordered = {}, []
    for name, e in head.items():
        a, b = e["data_offsets"]
        fmt, size = SIZES[e["dtype"]]
        count = 1
        for d in e["shape"]:
            count *= d
        assert b - a == count * size, f"{name}: {b - a} bytes for shape {e['shape']}"
        vals = [v for (v,) in struct.iter_unpack(fmt, body[a:b])]
        tensors[name] = (e["dtype"], e["shape"], vals)
        ordered.append((a, body[a:b]))
    ordered.sort(key=lambda p: p[0])
    return meta, tensors, b"".join(d for _, d in ordered), data, n


def metadata_sha256(meta):
    h = hashlib.sha256()
    for k in sorted(meta):
        if k == "metadata_sha256":
            continue
        for s in (k, meta[k]):
            b = s.encode()
            h.update(struct.pack("<Q", len(b)))
            h.update(b)
    return h.hexdigest()


def check_torch(path, tensors, data, n):
    try:
        import torch
    except ImportError:
        return "torch not importable, skipped"
    head = json.loads(data[8:8 + n])
    head.pop("__metadata__", None)
    body = bytearray(data[8 + n:])
    dt = {"F32": torch.float32, "F64": torch.float64}
    for name, e in head.items():
        a, b = e["data_offsets"]
        t = torch.frombuffer(body[a:b], dtype=dt[e["dtype"]]).reshape(e["shape"]) if b > a else torch.zeros(e["shape"])
        same = all(a == b or (a != a and b != b) for a, b in zip(t.flatten().tolist(), tensors[name][2]))  # NaN is NaN
        assert same and t.numel() == len(tensors[name][2]), f"{path}: torch reads {name} differently"
    return f"torch {torch.__version__} reads the same {len(head)} tensors"


def linear_forecast(meta, tensors, history):
    spec, scaler = json.loads(meta["spec"]), json.loads(meta["scaler"])
    nf, w, h = len(spec["features"]), spec["window"], spec["horizon"]
    mean, std = scaler["Mean"], scaler["Std"]
    rows = history[len(history) - w * nf:]
    x = [(v - mean[i % nf]) / std[i % nf] for i, v in enumerate(rows)]
    _, wshape, wv = tensors["dense/w"]
    _, _, bv = tensors["dense/b"]
    assert wshape == [w * nf, h], wshape
    y = [sum(x[i] * wv[i * h + k] for i in range(w * nf)) + bv[k] for k in range(h)]
    t = spec["target"]
    return [v * std[t] + mean[t] for v in y]


def main(paths):
    bad = 0
    for path in paths:
        meta, tensors, raw, data, n = read(path)
        problems = []
        if meta.get("format") != "seqcast.model" or meta.get("format_version") != "3":
            problems.append(f"format {meta.get('format')} version {meta.get('format_version')}")
        if hashlib.sha256(raw).hexdigest() != meta.get("data_sha256"):
            problems.append("data_sha256 mismatch")
        if metadata_sha256(meta) != meta.get("metadata_sha256"):
            problems.append("metadata_sha256 mismatch")
        extra = set(json.loads(meta.get("extra_tensors", "[]")))
        weights = [k for k in tensors if k not in extra]
        want = {"float32": "F32", "float64": "F64"}[meta["dtype"]]
        problems += [f"weight {k} is {tensors[k][0]}, want {want}" for k in weights if tensors[k][0] != want]
        problems += [f"extra tensor {k} is {tensors[k][0]}, want F64" for k in extra if tensors[k][0] != "F64"]
        spec = json.loads(meta["spec"]) if "spec" in meta else {}
        line = (f"{path}: {spec.get('family', '?')}, {len(weights)} weights ({meta['dtype']}), "
                f"{len(extra)} checkpoint tensors, keys {sorted(meta)}; {check_torch(path, tensors, data, n)}")
        fx_path = os.path.splitext(path)[0] + ".json"
        if spec.get("family") == "linear" and "panel" not in meta and not spec.get("anchor") and not spec.get("delta") and os.path.exists(fx_path):
            with open(fx_path) as f:
                fx = json.load(f)
            y = linear_forecast(meta, tensors, fx["history"])
            if any(abs(a - b) > 1e-5 * max(1, abs(b)) for a, b in zip(y, fx["prediction"])):
                problems.append(f"plain-Python forecast {y}, seqcast's {fx['prediction']}")
            else:
                line += f"; plain-Python forecast {y} matches seqcast's"
        print(line)
        for p in problems:
            print(f"  PROBLEM: {p}")
        bad += bool(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
