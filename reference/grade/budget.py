"""What decoding a blob will cost, counted before anything is built (the trusted side).

`codec.decode` rebuilds every array reference of the tree as its own copy: a
helper request (an "H" frame, at most 8 MB) whose tree points 300 times at the
same 4 MB of bytes became 300 copies, 1.2 GB in the grader. `decode` here reads
the JSON header only (bounded: `codec.MAX_HEADER_BYTES`, `codec.MAX_CONTAINERS`),
adds up the bytes every reference will produce, each time it appears, exactly
as `codec.decode` walks the tree, and refuses the blob (ValueError) when the sum
passes the budget; only then is it decoded.
"""

from __future__ import annotations

import json
import math

import numpy as np

from . import codec

__all__ = ["REQUEST_BYTES", "produced", "decode"]

# a helper's arguments as the grader computes them: at most a few arrays of kit.MAX_ELEMENTS
# float64 (8 MB each); the same as an answer's float64 copies
REQUEST_BYTES = 4 * codec.MAX_DECODED_BYTES


def _header(blob: bytes) -> dict:
    """The blob's JSON header, parsed only when it is within the codec's bounds."""
    view = memoryview(blob)
    start = len(codec.MAGIC) + 8
    if bytes(view[:len(codec.MAGIC)]) != codec.MAGIC or len(view) < start:
        raise ValueError("not a codec blob")
    size = int.from_bytes(view[len(codec.MAGIC):start], "little")
    if size > min(len(view) - start, codec.MAX_HEADER_BYTES):
        raise ValueError("codec header truncated or too large")
    raw = bytes(view[start:start + size])
    if raw.count(b"[") + raw.count(b"{") > codec.MAX_CONTAINERS:
        raise ValueError("codec header too large")
    head = json.loads(raw.decode())
    if not isinstance(head, dict) or not isinstance(head.get("arrays"), list):
        raise ValueError("not a codec blob")
    return head


def _entry_bytes(spec, as_float: bool) -> int:
    """The bytes one reference to this array entry makes (0: the codec refuses it)."""
    try:
        dtype_str, shape, _, _ = spec
        dtype = np.dtype(str(dtype_str))
        count = math.prod(int(s) for s in shape)
    except (TypeError, ValueError, OverflowError):
        return 0
    if dtype.kind not in codec.KINDS or count < 0:
        return 0
    return count * (8 if as_float else dtype.itemsize)


def produced(head: dict, limit: int, *, as_float: bool = False) -> int:
    """The bytes of arrays decoding `head` builds (shared entries counted each time they
    are referenced), at most `limit`: ValueError as soon as the count passes it."""
    specs = head["arrays"]
    sizes: dict[int, int] = {}
    total, stack = 0, [(head.get("tree"), 0)]
    while stack:
        node, depth = stack.pop()
        if depth > codec.MAX_DEPTH + 2:
            continue
        if isinstance(node, list):
            stack.extend((x, depth + 1) for x in node)
        elif isinstance(node, dict) and "__nd__" in node:
            k = node["__nd__"]
            if type(k) is int and 0 <= k < len(specs):
                if k not in sizes:
                    sizes[k] = _entry_bytes(specs[k], as_float)
                total += sizes[k]
                if total > limit:
                    raise ValueError(f"decoding would build more than {limit // 2**20} MB")
        elif isinstance(node, dict) and isinstance(node.get("__tuple__"), list):
            stack.extend((x, depth + 1) for x in node["__tuple__"])
        elif isinstance(node, dict) and isinstance(node.get("__dict__"), list):
            stack.extend((p[1], depth + 1) for p in node["__dict__"]
                         if isinstance(p, list) and len(p) == 2)
    return total


def decode(blob: bytes, limit: int = REQUEST_BYTES, *, as_float: bool = False):
    """`codec.decode(blob)` once `produced` says it stays within `limit` bytes."""
    produced(_header(blob), limit, as_float=as_float)
    return codec.decode(blob, as_float=as_float)
