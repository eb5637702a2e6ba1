"""Minimal safetensors reader and writer for torch tensors (no safetensors package needed)."""
import json
import struct

import numpy as np
import torch

_DT = {torch.float32: "F32", torch.float64: "F64"}
_NP = {"F32": np.float32, "F64": np.float64}


def save(path, tensors, metadata=None):
    """Writes {name: tensor} in the safetensors format: 8-byte LE header length, JSON, raw LE data."""
    head, blobs, off = {}, [], 0
    if metadata:
        head["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        b = t.numpy().astype(t.numpy().dtype.newbyteorder("<"), copy=False).tobytes()
        head[name] = {"dtype": _DT[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    js = json.dumps(head, separators=(",", ":")).encode()
    js += b" " * (-len(js) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js)
        for b in blobs:
            f.write(b)


def load(path):
    """Returns ({name: tensor}, metadata) from a safetensors file of F32/F64 tensors."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    head = json.loads(data[8:8 + n])
    meta = head.pop("__metadata__", {})
    body = data[8 + n:]
    out = {}
    for name, e in head.items():
        a, b = e["data_offsets"]
        arr = np.frombuffer(body[a:b], dtype=np.dtype(_NP[e["dtype"]]).newbyteorder("<"))
        out[name] = torch.from_numpy(arr.astype(_NP[e["dtype"]]).reshape(e["shape"]))
    return out, meta
