"""`derive ... --plot FILE.png`: the claimed and the autograd derivative over the domain.

A learner would rather look than read: the two curves over the domain (or, for
claims over class vectors, each element's claimed value against autograd's, on
the diagonal where they agree) with the points where they disagree marked.
matplotlib is an optional extra (``pip install backprop-oracle[plot]``); without it
`require` refuses `--plot` in one line, before any work is done.
"""

from __future__ import annotations

import os

import numpy as np

from manual.errors import InputError

from .judge import Report

__all__ = ["require", "draw"]

INSTALL = "pip install 'backprop-oracle[plot]' (or pip install matplotlib)"


def require() -> None:
    """Refuse --plot when matplotlib cannot be imported (an InputError: exit 2)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise InputError(f"--plot needs matplotlib, which is not installed: {INSTALL}") \
            from None


def draw(report: Report, path: str | os.PathLike, title: str) -> None:
    """Write the plot of `report` to `path` (PNG, or any format matplotlib knows by
    the extension); a path that cannot be written is an InputError."""
    require()
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib import pyplot as plt

    s = report.samples
    fig, ax = plt.subplots(figsize=(7, 4.5))
    try:
        (_diagonal if s["vector"] else _curves)(ax, s)
        ok = report.verdict.counterexample is None
        ax.text(0.01, 0.99, "correct" if ok else "INCORRECT", transform=ax.transAxes,
                va="top", fontsize=9, color="tab:green" if ok else "tab:red")
        ax.set_title(title if len(title) <= 90 else title[:87] + "...", fontsize=9)
        ax.legend(loc="best", fontsize=8)
        fig.tight_layout()
        fig.savefig(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot write the plot to {os.fspath(path)!r}: {exc}") from None
    finally:
        plt.close(fig)


def _curves(ax, s: dict) -> None:
    """An elementwise claim: both derivatives as curves over x, the disagreements marked."""
    order = np.argsort(s["x"], kind="stable")
    x, claimed, truth, agrees = (s[k][order] for k in ("x", "claimed", "autograd", "agrees"))
    shown = np.where(np.isfinite(claimed), claimed, np.nan)
    ax.plot(x, truth, color="tab:blue", linewidth=1.2, label="autograd")
    ax.plot(x, shown, color="tab:orange", linewidth=1.2, linestyle="--", label="claimed")
    _mark(ax, x[~agrees], shown[~agrees], len(x))
    ax.set_xlabel(s["x_name"])
    ax.set_ylabel("derivative")


def _diagonal(ax, s: dict) -> None:
    """A claim over class vectors: each element's claimed value against autograd's."""
    truth, claimed, agrees = s["autograd"], s["claimed"], s["agrees"]
    shown = np.where(np.isfinite(claimed), claimed, np.nan)
    ends = [float(np.nanmin([truth.min(), np.nanmin(shown)])),
            float(np.nanmax([truth.max(), np.nanmax(shown)]))]
    ax.plot(ends, ends, color="tab:blue", linewidth=1, label="claimed = autograd")
    ax.plot(truth[agrees], shown[agrees], linestyle="none", marker=".", color="tab:orange",
            label="agrees")
    _mark(ax, truth[~agrees], shown[~agrees], len(truth))
    ax.set_xlabel("autograd (each class of each example)")
    ax.set_ylabel("claimed")


def _mark(ax, x, y, total: int) -> None:
    if len(x):
        ax.plot(x, y, linestyle="none", marker="x", color="tab:red",
                label=f"disagree ({len(x)} of {total})")
