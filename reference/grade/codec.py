"""Plain-data transport between parent and child: a JSON tree plus raw array bytes, never pickle.

`encode(obj) -> bytes` turns nested dicts, lists, tuples, numbers, strings and
numeric ndarrays into one blob:

    MAGIC | 8-byte length of the header | header (JSON) | the arrays' raw bytes

The header holds the tree (arrays referenced by number) and, per array, its
dtype string, shape, offset and size. `decode(blob)` checks every one of these
(numeric dtype kinds only, sizes consistent and inside the blob) and rebuilds
the arrays with `np.frombuffer`: nothing in a blob is ever executed or
unpickled. Anything else (a class instance, an object array, a str subclass)
travels as an `Opaque` marker naming its type, so a lying `__eq__` or an
ndarray subclass never reaches the parent; numeric arrays come back as float64
when `as_float=True` (the parent's side).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "MAGIC", "MAX_DEPTH", "MAX_NODES", "MAX_ARRAY_BYTES", "MAX_STRING", "MAX_DECODED_BYTES",
    "Opaque", "encode", "decode",
]

MAGIC = b"BPORACLE1\n"
MAX_DEPTH = 32
MAX_NODES = 200_000
MAX_ARRAY_BYTES = 16 * 2**20     # the sandbox reads at most 32 MB per function
MAX_STRING = 100_000             # longer strings are cut (the worker's output is at most 64k)
# decoding (the parent's side) in bounded memory, whatever a forged blob holds: the JSON
# header is at most MAX_HEADER_BYTES with at most MAX_CONTAINERS lists and objects (an
# honest encoder makes about 3 per node), and the float64 copies at most MAX_DECODED_BYTES
MAX_HEADER_BYTES = 4 * 2**20
MAX_CONTAINERS = 4 * MAX_NODES
MAX_DECODED_BYTES = 16 * 2**20     # an honest answer: under 1 MB (5 MB at 1000 cases)
KINDS = "biuf"                   # bool, int, unsigned, float

# bound now: a submission that patches numpy in the child cannot change the encoder
_ndarray, _generic, _asarray = np.ndarray, np.generic, np.asarray
_contiguous, _frombuffer, _dtype = np.ascontiguousarray, np.frombuffer, np.dtype
_dumps, _loads = json.dumps, json.loads


@dataclass(frozen=True)
class Opaque:
    """A returned value that is not plain data: only its type name survives."""

    type_name: str

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


class _Encoder:
    def __init__(self):
        self.arrays: list[list] = []       # [dtype, shape, offset, nbytes]
        self.chunks: list[bytes] = []
        self.nodes = 0
        self.nbytes = 0

    def array(self, arr: np.ndarray):
        if arr.dtype.kind not in KINDS:
            return {"__type__": f"array of dtype {arr.dtype}"}
        if self.nbytes + arr.nbytes > MAX_ARRAY_BYTES:
            return {"__type__": "array (too large)"}
        data = _contiguous(arr).tobytes()
        self.arrays.append([arr.dtype.str, list(arr.shape), self.nbytes, len(data)])
        self.chunks.append(data)
        self.nbytes += len(data)
        return {"__nd__": len(self.arrays) - 1}

    @staticmethod
    def key(k):
        if type(k) is int:
            return k
        return k[:MAX_STRING] if type(k) is str else repr(type(k))[:80]

    def __call__(self, obj, depth=0):
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            return {"__type__": "too deeply nested or too large"}
        kind = type(obj)
        if obj is None or kind is bool:
            return obj
        if kind is str:
            return obj if len(obj) <= MAX_STRING else obj[:MAX_STRING] + "…"
        if kind is int:
            return obj if abs(obj) <= 2**63 else float(obj)
        if kind is float:
            return obj
        if isinstance(obj, _ndarray):
            return self.array(obj.view(_ndarray))
        if isinstance(obj, _generic):
            return self.array(_asarray(obj))
        if kind is list:
            return [self(x, depth + 1) for x in obj]
        if kind is tuple:
            return {"__tuple__": [self(x, depth + 1) for x in obj]}
        if kind is dict:
            return {"__dict__": [[self.key(k), self(v, depth + 1)] for k, v in obj.items()]}
        return {"__type__": kind.__name__[:80]}


def encode(obj) -> bytes:
    enc = _Encoder()
    tree = enc(obj)
    head = _dumps({"tree": tree, "arrays": enc.arrays}, allow_nan=True).encode()
    return b"".join([MAGIC, len(head).to_bytes(8, "little"), head, *enc.chunks])


def _array(spec, data: memoryview, as_float: bool, budget: list[int]):
    """The array described by a header entry, or an Opaque when the entry is not valid
    (or its float64 copy would pass what is left of the budget)."""
    try:
        dtype_str, shape, offset, nbytes = spec
        dtype = _dtype(str(dtype_str))
        if dtype.kind not in KINDS or dtype.itemsize == 0:
            return Opaque("array")
        shape = tuple(int(s) for s in shape)
        count = math.prod(shape)
        if (min(shape, default=0) < 0 or len(shape) > 32 or count * dtype.itemsize != nbytes
                or not 0 <= offset <= len(data) - nbytes):
            return Opaque("array")
        size = count * (8 if as_float else dtype.itemsize)
        if size > budget[0]:
            return Opaque("array (too large)")
        budget[0] -= size
        arr = _frombuffer(data, dtype=dtype, count=count, offset=offset).reshape(shape)
    except (TypeError, ValueError, OverflowError):
        return Opaque("array")
    return arr.astype(np.float64) if as_float else arr.copy()


def decode(blob: bytes, *, as_float: bool = False):
    """The plain value encoded in `blob` (ValueError when it is not a valid blob). With
    as_float (the parent reading a child's answer) in bounded memory: MAX_HEADER_BYTES,
    MAX_CONTAINERS, and arrays beyond MAX_DECODED_BYTES of float64 come back Opaque."""
    view = memoryview(blob)
    start = len(MAGIC) + 8
    if bytes(view[:len(MAGIC)]) != MAGIC or len(view) < start:
        raise ValueError("not a codec blob")
    size = int.from_bytes(view[len(MAGIC):start], "little")
    if size > len(view) - start:
        raise ValueError("truncated codec blob")
    raw = bytes(view[start:start + size])
    if as_float and (size > MAX_HEADER_BYTES  # a child's answer: the parent's memory is bounded
                     or raw.count(b"[") + raw.count(b"{") > MAX_CONTAINERS):
        raise ValueError("codec header too large")
    head = _loads(raw.decode())
    if not isinstance(head, dict) or not isinstance(head.get("arrays"), list):
        raise ValueError("not a codec blob")
    data = view[start + size:]
    specs = head["arrays"]
    budget = [MAX_DECODED_BYTES if as_float else math.inf]

    def build(node, depth=0):
        if depth > MAX_DEPTH + 2:
            return Opaque("too deeply nested")
        if isinstance(node, list):
            return [build(x, depth + 1) for x in node]
        if not isinstance(node, dict):
            return node
        if "__nd__" in node:
            k = node["__nd__"]
            if type(k) is not int or not 0 <= k < len(specs) or not isinstance(specs[k], list):
                return Opaque("array")
            return _array(specs[k], data, as_float, budget)
        if isinstance(node.get("__tuple__"), list):
            items = [build(x, depth + 1) for x in node["__tuple__"]]
            return items if as_float else tuple(items)
        if isinstance(node.get("__dict__"), list):
            return {k if isinstance(k, (str, int)) else str(k): build(v, depth + 1)
                    for k, v in (p for p in node["__dict__"]
                                 if isinstance(p, list) and len(p) == 2)}
        return Opaque(str(node.get("__type__", "object")))

    return build(head.get("tree"))
