"""Random cases for the matrix, drawn from data (the registries) and a seed.

A `Case` is a small frozen description (activations, loss, layout, dtype,
layer sizes, batch size, the seed of its family's arrays and its place in the
family); `case.arrays()` draws the weights, biases, X and Y from that seed, so
a case is the same on every xdist worker and every machine. `generate(n, seed)` walks the product of

    hidden activation × (output activation, loss) × layout × dtype

round-robin (so the first |product| cases cover every combination once) and
draws each case's architecture: depth 1..6, widths 1..12, batch 1..8, with
width 1 and batch 1 drawn often (they catch rank-1 and broadcasting bugs).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from dataclasses import dataclass

import numpy as np

from manual.activations import ACTIVATIONS, BUILTIN_ACTIVATIONS, get_activation
from manual.equations import COLUMNS, ROWS
from manual.errors import InputError
from manual.losses import BUILTIN_LOSSES, LOSSES, get_loss
from manual.network import Network
from manual.params import PARAMETERS, defaults

__all__ = [
    "LAYOUTS", "DTYPES", "Case", "combinations", "MAX_FAMILY", "family_size", "generate",
    "register_custom", "families", "family_key", "Stack", "draw_family", "TARGET_MIXES",
    "REDUCTIONS", "canonical", "activation_filters", "draw_options", "drawn_from",
    "drawn_line",
]

LAYOUTS = (COLUMNS, ROWS)
DTYPES = ("float64", "float32")
_SHORT = {"float64": "f64", "float32": "f32"}
KINK_MARGIN = 1e-3


@dataclass(frozen=True)
class Case:
    hidden: str
    output: str
    loss: str
    layout: str
    dtype: str
    sizes: tuple[int, ...]
    m: int
    seed: int
    reduction: str = "mean"
    tag: int = 0  # tells apart cases whose structure is the same
    member: int = 0  # which network of its family (the seed draws the whole family)
    members: int = 1  # how many networks the family has
    targets: str = ""  # one-hot family losses: "" a mix (a quarter soft), "onehot" or "soft"

    @property
    def id(self) -> str:
        """Structure only, e.g. tanh-sigmoid-bce-columns-f64-4x3x1-m5."""
        sizes = "x".join(map(str, self.sizes))
        red = "" if self.reduction == "mean" else f"-{self.reduction}"
        tag = f"-{self.tag}" if self.tag else ""
        return (f"{self.hidden}-{self.output}-{self.loss}-{self.layout}-{_SHORT[self.dtype]}-"
                f"{sizes}-m{self.m}{red}{tag}")

    @property
    def activations(self) -> list[str]:
        return [self.hidden] * (len(self.sizes) - 2) + [self.output]

    def arrays(self):
        """(weights, biases, X, Y) in the case's dtype and layout, freshly drawn."""
        return draw_arrays(self)

    def network(self) -> tuple[Network, np.ndarray, np.ndarray]:
        w, b, X, Y = self.arrays()
        return Network(w, b, self.activations, self.loss, self.layout, self.reduction), X, Y


TARGET_MIXES = ("onehot", "soft")  # what a one-hot family loss (cross_entropy) is given
REDUCTIONS = ("mean", "sum")


def canonical(names, order) -> list[str]:
    """The set of `names` in a fixed order: the built-in order `order` first, any other
    name (a custom entry) alphabetically after. The cases depend on the set of filters,
    never on the order they were given in."""
    rank = {n: i for i, n in enumerate(order)}
    return sorted(set(names), key=lambda n: (rank.get(n, len(rank)), n))


def activation_filters(activations=None, output_activations=None, hidden_activations=None,
                       outputs_follow: bool = True) -> dict:
    """{"activations": hidden, "outputs": outputs}: `activations` restricts every layer;
    `hidden_activations` and `output_activations` take its place for the hidden layers
    and the output layer (each None: unrestricted); with `outputs_follow` false,
    `activations` leaves the output layer to the losses (check's custom --activation
    entries)."""
    if output_activations is None and outputs_follow:
        output_activations = activations
    return {"activations": activations if hidden_activations is None else hidden_activations,
            "outputs": output_activations}


def combinations(activations=None, losses=None, layouts=LAYOUTS, dtypes=DTYPES, outputs=None,
                 targets=None, reductions=None):
    """Every (hidden, output, loss, layout, dtype) the registries make sensible.

    `activations` restricts the hidden layers, `outputs` the output layer
    (default: every output the losses accept). An activation with no loss
    listing it (one registered from an expression) is also tried in output
    position with the quadratic loss. Each list is taken as a set (`canonical`).
    `targets` and `reductions` are drawn per case (see `generate`), not combined.
    """

    activations = canonical(activations or ACTIVATIONS, BUILTIN_ACTIVATIONS)
    losses = canonical(losses or LOSSES, BUILTIN_LOSSES)
    layouts, dtypes = canonical(layouts, LAYOUTS), canonical(dtypes, DTYPES)
    outputs = None if outputs is None else canonical(outputs, BUILTIN_ACTIVATIONS)
    outs = [(o, lo) for lo in losses for o in get_loss(lo).output_activations
            if o in ACTIVATIONS and (outputs is None or o in outputs)]
    listed = {o for lo in LOSSES.values() for o in lo.output_activations}
    extra = [(a, "quadratic") for a in (activations if outputs is None else outputs)
             if a not in listed and "quadratic" in losses and get_activation(a).elementwise]
    combos = list(itertools.product(activations, outs + extra, layouts, dtypes))
    if not combos:
        raise InputError(_why_nothing_left(activations, losses, outputs, layouts, dtypes))
    return combos


def _why_nothing_left(activations, losses, outputs, layouts, dtypes) -> str:
    """Why the filters leave no combination: an empty list, or each loss's output."""
    head = "no (activation, loss) combination is left after the filters"
    for what, value in (("layouts", layouts), ("dtypes", dtypes)):
        if not list(value):
            return f"{head}: no {what} given"
    allowed = list(activations if outputs is None else outputs)
    needs = []
    for lo in losses:
        outs = [o for o in get_loss(lo).output_activations if o in ACTIVATIONS]
        if get_loss(lo).targets == "real":
            continue
        needs.append(f"{lo} needs a {' or '.join(outs)} output")
    if not needs:
        return f"{head}: none of {', '.join(allowed)} can be an output layer"
    return (f"{head}: {'; '.join(needs)}, and the output activations are limited to "
            f"{', '.join(allowed)}; add one of those activations or another loss")


MAX_FAMILY = 32  # cases per structure in `check`, at most: one stacked oracle call each


def family_size(n: int, n_combinations: int) -> int:
    """Cases per family for a run of n cases: the largest size (up to MAX_FAMILY)
    that still leaves one family, so one structure, for every combination."""
    return max(1, min(MAX_FAMILY, n // n_combinations))


def generate(n: int, seed: int = 0, *, start: int = 0, family: int = 1, targets=None,
             reductions=None, **filters) -> list[Case]:
    """Cases start..n-1 of the stream for (`seed`, `family`). Case i depends only
    on (seed, family, i), the set of filters and the registries, so any slice can be
    drawn alone. `targets` (onehot, soft) are what the one-hot family losses are given
    (default: one-hot, and for a quarter of the networks a distribution), `reductions`
    (mean, sum) the batch reductions drawn (default: sum for a fifth of the families).

    With family = K, the cases come in families of K consecutive cases that
    share a structure (combination, sizes, batch size, reduction) and differ in
    their arrays; the checker stacks a family into one oracle call.
    """
    if family < 1:
        raise ValueError("family must be at least 1")
    combos = combinations(**filters)
    # a seeded order, so that any prefix of the stream is already varied
    order = np.random.default_rng([seed, len(combos)]).permutation(len(combos))
    combos = [combos[j] for j in order]
    mix, only = draw_options(targets, reductions)
    cases, seen = [], {}
    for i in range(start, n):
        case = case_at(i, seed, combos, family)
        if mix or only:
            case = dataclasses.replace(case, targets=mix, reduction=only or case.reduction)
        k = seen[case.id] = seen.get(case.id, -1) + 1
        cases.append(case if k == 0 else dataclasses.replace(case, tag=k))
    return cases


def case_at(i: int, seed: int, combos, family: int = 1) -> Case:
    """The i-th case: its family f = i // family takes combination f mod |combos|
    and a structure drawn from (seed, f); the family's arrays come from one seed."""
    f = i // family
    hidden, (output, loss), layout, dtype = combos[f % len(combos)]
    sizes, m, reduction, arrays_seed = _family_structure(seed, f, family)
    return Case(hidden, output, loss, layout, dtype, sizes, m, arrays_seed, reduction,
                member=i % family, members=family)


def drawn_from(filters: dict) -> dict[str, list[str]]:
    """What a run's cases are drawn from, each list in its canonical order (a run's
    header): hidden and output activations, losses, targets, reductions, layouts,
    dtypes ("all" where unrestricted)."""

    def names(key, order, everything="all"):
        given = filters.get(key)
        return everything if given is None else canonical(given, order)
    return {"hidden": names("activations", BUILTIN_ACTIVATIONS),
            "outputs": names("outputs", BUILTIN_ACTIVATIONS, "all the losses accept"),
            "losses": names("losses", BUILTIN_LOSSES),
            "targets": names("targets", TARGET_MIXES, list(TARGET_MIXES)),
            "reductions": names("reductions", REDUCTIONS, list(REDUCTIONS)),
            "layouts": names("layouts", LAYOUTS), "dtypes": names("dtypes", DTYPES),
            "params": [f"{k}={v:g}" for k, v in sorted(_parameters_set().items())] or "defaults"}


def _parameters_set() -> dict[str, float]:
    """The registry parameters that differ from their defaults now (manual.params)."""

    base, changed = defaults(), {}
    for name in PARAMETERS:
        entry = ACTIVATIONS.get(name) or LOSSES.get(name)
        for p, v in (entry.params if entry is not None else {}).items():
            if base.get(f"{name}.{p}") != v:
                changed[f"{name}.{p}"] = v
    return changed


def drawn_line(drawn: dict) -> str:
    """The header line saying what the cases were drawn from (check's, the plugin's)."""
    def text(value):
        return value if isinstance(value, str) else ",".join(value)
    return "drawn from: " + "; ".join(f"{key} {text(value)}" for key, value in drawn.items())


def draw_options(targets=None, reductions=None) -> tuple[str, str]:
    """(the targets mix of the cases: "" both, "onehot" or "soft"; the only reduction
    drawn, or "" for both), refusing unknown or empty lists."""
    chosen = []
    for given, known, what in ((targets, TARGET_MIXES, "targets"),
                               (reductions, REDUCTIONS, "reductions")):
        names = list(known if given is None else given)
        bad = [n for n in names if n not in known]
        if bad or not names:
            raise InputError(f"{what} must be a non-empty list of {', '.join(known)}, "
                             f"got {given!r}")
        chosen.append("" if set(names) == set(known) else names[0])
    return chosen[0], chosen[1]


@functools.lru_cache(maxsize=256)
def _family_structure(seed: int, f: int, family: int):
    """Depth 1..6, widths 1..12, batch 1..8, reduction, and the seed of the arrays."""
    rng = np.random.default_rng([seed, f, family])
    depth = int(rng.integers(1, 7))
    sizes = tuple(_width(rng) for _ in range(depth + 1))
    m = 1 if rng.random() < 0.15 else int(rng.integers(2, 9))
    reduction = "sum" if rng.random() < 0.2 else "mean"
    return sizes, m, reduction, int(rng.integers(0, 2**31))


def validate_finite_on_domain(entry, points: int = 257) -> None:
    """Refuse an activation whose forward or derivative is not finite somewhere on the
    domain the cases sample (e.g. log(z) below 0, exp(exp(exp(z))), 1/z at 0): the
    oracle would return NaN, and NaN against NaN is no verdict on anybody's backprop."""
    lo, hi = entry.domain
    z = np.linspace(lo, hi, points)  # a step of 1/16 on [-8, 8]: z = 0 is on the grid
    with np.errstate(all="ignore"):
        a = np.asarray(entry.apply(z[:, None], 0), dtype=np.float64).reshape(z.shape)
        slope = (np.ones_like(z) if not entry.elementwise else
                 np.asarray(entry.derivative(z, a), dtype=np.float64).reshape(z.shape))
    bad = ~(np.isfinite(a) & np.isfinite(slope))
    if bad.any():
        at = z[np.argmax(bad)]
        raise InputError(f"activation {entry.name!r} is not finite on its domain [{lo:g}, {hi:g}]"
                         f": at z = {at:g} the forward is {a[np.argmax(bad)]:g} and the "
                         f"derivative {slope[np.argmax(bad)]:g}; give the domain where it is "
                         f"defined (LO,HI)")


def register_custom(specs: list[str], domain=None, params=None) -> list[str]:
    """Register the expression activations NAME=FORWARD:DERIVATIVE given on a command
    line, on `domain` (LO,HI; default [-8, 8]) with the named `params`; a name given
    twice, or an activation that is not finite on its domain, is an InputError.
    Returns the names."""
    # imported here: the expression language and mpmath cost 24 ms (-X importtime) at the
    # start of every run, and only a run with a custom activation needs them
    from .custom import expression_activation, parse_domain, parse_spec

    names = [parse_spec(spec)[0] for spec in specs]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(f"activation {twice[0]!r} is defined more than once; give each "
                         f"custom activation one definition")
    where = parse_domain(domain)
    entries = [expression_activation(spec, params=params, **({"domain": where} if where else {}))
               for spec in specs]
    try:
        for entry in entries:
            validate_finite_on_domain(entry)
    except InputError:
        for entry in entries:
            ACTIVATIONS.pop(entry.name, None)
        raise
    return [e.name for e in entries]


def families(cases: list[Case]) -> list[list[Case]]:
    """Consecutive runs of cases of one family (what one oracle call can stack)."""
    groups: list[list[Case]] = []
    for c in cases:
        if groups and family_key(groups[-1][0]) == family_key(c) and c.member > 0:
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups


def family_key(c: Case):
    """What the members of one family share (their arrays come from one draw)."""
    return (c.hidden, c.output, c.loss, c.layout, c.dtype, c.sizes, c.m, c.reduction, c.seed,
            c.members, c.targets)


def _width(rng) -> int:
    return 1 if rng.random() < 0.15 else int(rng.integers(1, 13))


def draw_targets(rng, loss, shape, dtype, mix: str = "") -> np.ndarray:
    """Targets of the kind the loss expects, for K stacked networks: shape (K, n, m),
    classes on axis 1 (real, binary, ±1, one-hot, or for a quarter of the networks a
    distribution over the classes; `mix` "onehot" or "soft": all of one kind, drawn
    from the same stream)."""
    kind = get_loss(loss).targets
    if kind == "real":
        return rng.standard_normal(shape).astype(dtype)
    if kind == "binary":
        return (rng.random(shape) < 0.5).astype(dtype)
    if kind == "pm1":
        return (2.0 * (rng.random(shape) < 0.5) - 1).astype(dtype)
    K, n, m = shape
    labels = rng.integers(0, n, (K, m))
    onehot = np.eye(n)[labels].transpose(0, 2, 1)  # (K, n, m)
    p = rng.random(shape) + 0.05
    p /= p.sum(axis=1, keepdims=True)
    distribution = rng.random(K) < 0.25
    if mix:
        distribution[:] = mix == "soft"
    return np.where(distribution[:, None, None], p, onehot).astype(dtype)


@dataclass
class Stack:
    """The arrays of K networks of one structure, stacked on a leading axis, in the
    case's layout and dtype: W[l] (K, nₗ, nₗ₋₁) or (K, nₗ₋₁, nₗ), b[l] (K, nₗ, 1)
    or (K, nₗ), X and Y (K, n, m) or (K, m, n). Member k is `member(k)`."""

    W: list[np.ndarray]
    b: list[np.ndarray]
    X: np.ndarray
    Y: np.ndarray

    def __len__(self) -> int:
        return self.X.shape[0]

    def member(self, k: int):
        """(weights, biases, X, Y) of network k: views into the stack."""
        return [w[k] for w in self.W], [b[k] for b in self.b], self.X[k], self.Y[k]


def draw_family(case: Case) -> Stack:
    """The arrays of every member of `case`'s family, drawn at once from its seed.

    Weights ~ N(0, 1.5/nₗ₋₁), biases ~ N(0, 0.25), X ~ N(0, 1), then shaped so
    every zˡ lies in its activation's domain and at least KINK_MARGIN off any kink.
    """
    K, sizes = case.members, case.sizes
    rng = np.random.default_rng(case.seed)
    sigmas = [get_activation(a) for a in case.activations]
    W = [rng.standard_normal((K, n_out, n_in)) * np.sqrt(1.5 / n_in)
         for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    b = [rng.standard_normal((K, n_out)) * 0.5 for n_out in sizes[1:]]
    X = rng.standard_normal((K, sizes[0], case.m))
    last_input = _keep_in_domain(W, b, sigmas, X)
    Y = draw_targets(rng, case.loss, (K, sizes[-1], case.m), np.float64, case.targets)
    _keep_off_loss_kinks(get_loss(case.loss), W, b, sigmas[-1], last_input, Y)
    dtype = np.dtype(case.dtype)
    if case.layout == COLUMNS:
        return Stack([w.astype(dtype) for w in W], [v[..., None].astype(dtype) for v in b],
                     X.astype(dtype), Y.astype(dtype))
    rows = lambda x: np.ascontiguousarray(x.transpose(0, 2, 1), dtype=dtype)
    return Stack([rows(w) for w in W], [v.astype(dtype) for v in b], rows(X), rows(Y))


def draw_arrays(case: Case):
    """Weights, biases, X, Y of one case (its member of the family draw)."""
    return draw_family(case).member(case.member)


def _keep_in_domain(W, b, sigmas, X) -> None:
    """Shape the draw so every zˡ lies where its activation is meant to be used.

    Works on stacks (K networks, columns layout). A network whose layer's z
    leaves the activation's `domain` has that layer scaled down (a deep stack
    of identity layers otherwise saturates the sigmoid at the output, where
    1 − a underflows and no formula for ∇ₐC survives); biases are nudged so no
    z lies within KINK_MARGIN of a kink (where σ' is not defined).
    """
    a = X
    for w, v, sigma in zip(W, b, sigmas):
        last_input = a
        z = w @ a + v[..., None]
        lo, hi = sigma.domain
        peak = np.zeros(len(z))
        if hi > 0:
            peak = np.maximum(peak, z.max(axis=(1, 2)) / hi)
        if lo < 0:
            peak = np.maximum(peak, z.min(axis=(1, 2)) / lo)
        shrink = np.where(peak > 0.9, 0.9 / np.maximum(peak, 0.9), 1.0)
        w *= shrink[:, None, None]
        v *= shrink[:, None]
        z *= shrink[:, None, None]
        if lo >= 0 or hi <= 0:
            _move_into(w, v, z, lo, hi)
        for kink in sigma.kinks:
            for _ in range(8):
                near = (np.abs(z - kink) < KINK_MARGIN).any(axis=2)  # (K, nₗ): units to nudge
                if not near.any():
                    break
                shift = np.where(near, 4 * KINK_MARGIN, 0.0)
                v += shift
                z += shift[..., None]
        a = sigma.apply(z, 1)
    return last_input


def _keep_off_loss_kinks(loss, W, b, sigma, last_input, Y) -> None:
    """A loss whose gradient jumps (MAE at a = y, hinge at y·a = 1): move each element
    at least KINK_MARGIN away, by moving real targets, or else the output bias."""
    if loss.kink_gap is None:
        return
    for _ in range(8):
        a = sigma.apply(W[-1] @ last_input + b[-1][..., None], 1)
        near = loss.kink_gap(a, Y) < KINK_MARGIN
        if not near.any():
            return
        if loss.targets == "real":
            Y += np.where(near, 4 * KINK_MARGIN, 0.0)
        else:
            b[-1] += np.where(near.any(axis=2), 4 * KINK_MARGIN, 0.0)


def _move_into(w, v, z, lo: float, hi: float) -> None:
    """For a domain without 0 (log(z) on [0.01, 8]): scale each network's layer so its
    z spans at most 80% of the domain, then shift its biases so z is centered in it."""
    top, bottom = z.max(axis=(1, 2)), z.min(axis=(1, 2))
    width = 0.8 * (hi - lo)
    scale = np.where(top - bottom > width, width / np.maximum(top - bottom, 1e-300), 1.0)
    w *= scale[:, None, None]
    v *= scale[:, None]
    z *= scale[:, None, None]
    shift = (lo + hi) / 2 - (z.max(axis=(1, 2)) + z.min(axis=(1, 2))) / 2
    v += shift[:, None]
    z += shift[:, None, None]
