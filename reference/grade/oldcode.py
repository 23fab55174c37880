"""A failure that is only the code's age, told apart from wrong math (parent side).

The student process runs old code as it ran in its time where that is exact
(`oldnumpy`: np.int, np.NaN, float() of a one-element array, itemset, newshape=, a
generator given to np.stack; `py2`: Python 2 converted). What still fails because the
code is older than the NumPy or the Python it is graded on (an API NumPy removed with
no exact equivalent, a Python 2 name in a file that parses as Python 3) is a crash of
kind OLD_CODE whose diagnosis starts "old code: ..." and names what was removed and
when, followed by the error itself: an instructor reads it apart from the wrong
answers (the class report counts it as a crash), and the student knows which line to
modernize. Only the error's text is read (the parent never runs student code).
"""

from __future__ import annotations

import re

from ..oracle.kinds import Kind
from .base import Finding

__all__ = ["REMOVED", "PYTHON2", "SEPARATOR", "explain", "mark"]

SEPARATOR = ", not wrong math: "     # between what was removed and the error itself

# np.NAME: (the NumPy release that removed it, what replaces it)
REMOVED = {
    "int": ("1.24", "int or np.int64"), "float": ("1.24", "float or np.float64"),
    "object": ("1.24", "object"), "complex": ("1.24", "complex"), "str": ("1.24", "str"),
    "long": ("1.24", "int"), "unicode": ("1.24", "str"), "bool8": ("2.0", "np.bool_"),
    "asscalar": ("1.23", "a.item()"), "alen": ("1.23", "len(a)"), "rank": ("1.18", "a.ndim"),
    "NaN": ("2.0", "np.nan"), "NAN": ("2.0", "np.nan"), "Inf": ("2.0", "np.inf"),
    "Infinity": ("2.0", "np.inf"), "infty": ("2.0", "np.inf"), "PINF": ("2.0", "np.inf"),
    "NINF": ("2.0", "-np.inf"), "float_": ("2.0", "np.float64"),
    "complex_": ("2.0", "np.complex128"), "unicode_": ("2.0", "np.str_"),
    "string_": ("2.0", "np.bytes_"), "product": ("2.0", "np.prod"),
    "cumproduct": ("2.0", "np.cumprod"), "alltrue": ("2.0", "np.all"),
    "sometrue": ("2.0", "np.any"), "round_": ("2.0", "np.round"),
    "msort": ("2.0", "np.sort(a, axis=0)"), "asfarray": ("2.0", "np.asarray(a, dtype=float)"),
    "mat": ("2.0", "np.asmatrix"), "find_common_type": ("2.0", "np.result_type"),
    "cast": ("2.0", "np.asarray(a).astype"), "trapz": ("2.4", "np.trapezoid"),
    "in1d": ("2.4", "np.isin"),
}
# ndarray.NAME: (the release that removed it, what replaces it)
METHODS = {"itemset": ("2.0", "a[index] = value"), "newbyteorder": ("2.0", "a.view(...)"),
           "ptp": ("2.0", "np.ptp(a)"), "tostring": ("2.3", "a.tobytes()")}
# Python 2's names: (what Python 3 writes instead)
PYTHON2 = {"xrange": "range", "raw_input": "input", "unicode": "str", "long": "int",
           "basestring": "str", "unichr": "chr", "reduce": "functools.reduce",
           "execfile": "exec(open(f).read())", "cmp": "(a > b) - (a < b)",
           "iteritems": "dict.items", "itervalues": "dict.values", "iterkeys": "dict.keys",
           "has_key": "key in d", "izip": "zip", "imap": "map", "ifilter": "filter"}

def _numpy_said(name: str, version: str) -> str:
    """NumPy 2's own message for a name it removed ("`np.mat` was removed in the NumPy
    2.0 release"), with our replacement when the table has one."""
    now = f" (now {REMOVED[name][1]})" if name in REMOVED else ""
    return f"np.{name} removed in NumPy {version}{now}"


_RULES = (
    (re.compile(r"`np\.(\w+)` was removed in the NumPy (\d+\.\d+) release"), None),
    (re.compile(r"module 'numpy' has no attribute '(\w+)'"),
     lambda n: n in REMOVED and f"np.{n} removed in NumPy {REMOVED[n][0]} "
                                f"(now {REMOVED[n][1]})"),
    (re.compile(r"'numpy\.ndarray' object has no attribute '(\w+)'"),
     lambda n: n in METHODS and f"ndarray.{n} removed in NumPy {METHODS[n][0]} "
                                f"(now {METHODS[n][1]})"),
    (re.compile(r"unexpected keyword argument '(newshape)'"),
     lambda n: "np.reshape's newshape= removed in NumPy 2.4 (now shape=)"),
    (re.compile(r"arrays to (stack) must be passed as a \"sequence\""),
     lambda n: "a generator given to a stacking function, refused since NumPy 1.25 "
               "(now a list)"),
    (re.compile(r"only (0)-dimensional arrays can be converted to Python scalars"),
     lambda n: "a one-element array converted to a number, refused since NumPy 2 "
               "(deprecated in 1.25; now a[0, 0] or a.item())"),
    (re.compile(r"name '(\w+)' is not defined"),
     lambda n: n in PYTHON2 and f"{n} is Python 2 (Python 3: {PYTHON2[n]})"),
    (re.compile(r"'dict' object has no attribute '(\w+)'"),
     lambda n: n in PYTHON2 and f"dict.{n} is Python 2 (Python 3: {PYTHON2[n]})"),
    (re.compile(r"cannot import name '(\w+)' from 'itertools'"),
     lambda n: n in PYTHON2 and f"itertools.{n} is Python 2 (Python 3: {PYTHON2[n]})"),
)


def explain(text: str) -> str | None:
    """What an error's text says was removed ("np.int removed in NumPy 1.24 (now int or
    np.int64)"), or None when the error is not the code's age."""
    for pattern, say in _RULES:
        found = pattern.search(text)
        if found:
            said = say(found.group(1)) if say else _numpy_said(*found.groups())
            if said:
                return said
    return None


CRASHES = (Kind.RUNTIME, Kind.FORWARD_RAISED)


def mark(finding: Finding | None) -> Finding | None:
    """A crash (raised, or blocked by a forward that raised) whose error is the code's
    age becomes kind OLD_CODE, its diagnosis "old code: <what was removed>, not wrong
    math: <the error>"; anything else is returned as it is."""
    if finding is None or finding.kind not in CRASHES:
        return finding
    said = explain(finding.diagnosis)
    if said:
        finding.diagnosis = f"old code: {said}{SEPARATOR}{finding.diagnosis}"
        finding.kind = Kind.OLD_CODE
    return finding
