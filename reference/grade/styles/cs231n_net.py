"""CS231n assignment 2's fully connected nets (`cs231n/classifiers/fc_net.py`): the
student's `FullyConnectedNet.loss` (and `TwoLayerNet.loss`, optional) against torch
autograd of the same net on the same parameters.

    {affine - [batch/layer norm] - relu - [dropout]} x (L - 1) - affine - softmax
    loss = softmax cross-entropy (mean over the batch) + 0.5 · reg · Σₗ ‖Wₗ‖²   (every W)

The probe (`probes.fc_net`) builds the net with the student's constructor in the
convention it declares (2016-18 `use_batchnorm=` and `dropout=` the drop probability,
2018-19 `normalization=` and `dropout=` the keep probability, 2020 on
`dropout_keep_ratio=`), overwrites its `params` with the case's (seeded), sets
dropout's seed and runs `loss(X, y)` then `loss(X)` (test mode: the scores). The twin
here rebuilds the same net in torch: the dropout masks are the ones the course's
`dropout_forward` draws from that seed (`np.random.seed(seed); np.random.rand(*x.shape)
< p`, per layer), test mode normalizes with the running averages the student's
`bn_params` hold after the train call (absent: zeros, the skeleton's default) and drops
nothing.

The net runs twice, as written and with the layers it calls replaced by the grader's
(`kit`): it passes when either run is right (a student's dropout drawing its mask
another way, or a bug in `batchnorm_forward`, is reported at the layer, not here); when
both are wrong, the replaced run's finding is the net's own bug. A known mistake is
named: the last layer left out of L2, the 0.5 left out, the L2 gradient missing, dropout
on the scores, layer norm computed as batch norm, gamma and beta missing from grads.
The 2016-17 skeleton's own `bn_param[mode] = mode` (test mode never set, so test-mode
scores use the batch's statistics) is the course's code: accepted.
"""

from __future__ import annotations

import numpy as np

from ...oracle.diagnose import Kind, diagnose_array
from ..base import Finding, GradeCase, GradedFunction
from ..books.cs231n import BOOK_A2 as RECORD
from ..probes.fc_net import REPLACED

__all__ = ["NETS", "reference"]

PROBE = "reference.grade.probes.fc_net:net_loss"
EPS = 1e-5        # the course's default ε of batch and layer norm (bn_param, ln_param)
HELPERS = tuple(f"{RECORD.helper_prefix}.{n}" for n in REPLACED + ("dropout_forward_drop",))

# (hidden dims, N, input shape after N, normalization, keep, reg): beyond the notebook's
# settings, a batch of 1 with an image-shaped X, p ≠ 0.5, each norm with dropout; few
# cases (each runs the net twice, its layers answered by the parent in the second run)
NET_CASES = (
    ((4, 3), 3, (5,), None, 1.0, 0.3),
    ((5,), 1, (2, 2, 3), None, 1.0, 0.7),
    ((4, 3), 4, (5,), "batchnorm", 1.0, 0.2),
    ((5, 4), 3, (4,), None, 0.6, 0.25),
    ((4, 3, 4), 4, (5,), "batchnorm", 0.75, 0.1),
    ((3, 5), 4, (4,), "layernorm", 0.75, 0.3),
)
TWO_LAYER_CASES = (((4,), 3, (5,), None, 1.0, 0.3), ((5,), 1, (4,), None, 1.0, 0.0),
                   ((6,), 2, (2, 2, 3), None, 1.0, 0.5))


def _params(rng, dims: list[int], norm: str | None) -> dict:
    """W1..WL (fan-in scaled), b1..bL, and gamma, beta of the hidden layers with a norm."""
    params = {}
    for k in range(1, len(dims)):
        params[f"W{k}"] = rng.normal(0, 1 / np.sqrt(dims[k - 1]), (dims[k - 1], dims[k]))
        params[f"b{k}"] = rng.normal(0, 0.1, dims[k])
        if norm and k < len(dims) - 1:
            params[f"gamma{k}"] = 1 + 0.3 * rng.normal(size=dims[k])
            params[f"beta{k}"] = 0.2 * rng.normal(size=dims[k])
    return params


def _case(rng, cls: str, spec) -> GradeCase:
    hidden, n, shape, norm, keep, reg = spec
    classes = int(rng.integers(3, 5))
    dims = [int(np.prod(shape)), *hidden, classes]
    inputs = {"class": cls, "hidden_dims": list(hidden), "input_dim": dims[0],
              "num_classes": classes, "reg": reg, "normalization": norm, "keep": keep,
              "seed": int(rng.integers(0, 2**31 - 1)), "params": _params(rng, dims, norm),
              "X": rng.normal(size=(n, *shape)), "y": rng.integers(0, classes, n)}
    what = ", ".join(filter(None, [f"hidden {list(hidden)}", f"N={n}",
                                   f"X {(n, *shape)}", norm, f"keep {keep}" if keep < 1
                                   else "", f"reg {reg}"]))
    return GradeCase(inputs, {}, (len(hidden), n, sum(dims)), what)


def _cases(cls: str, specs):
    def cases(rng, n: int) -> list[GradeCase]:
        return [_case(rng, cls, spec) for spec in specs]
    return cases


def _masks(inputs, widths) -> list:
    """The kept units of each dropout layer, as the course's dropout_forward draws them."""
    keep, n = float(inputs["keep"]), len(inputs["X"])
    if keep >= 1:
        return [None] * len(widths)
    return [np.random.RandomState(int(inputs["seed"])).rand(n, w) < keep for w in widths]


def _norm(torch, a, gamma, beta, how: str, running=None):
    """Batch norm (over the batch; test mode: the running averages) or layer norm."""
    if how == "layernorm":
        mu, var = a.mean(1, keepdim=True), a.var(1, unbiased=False, keepdim=True)
    elif running is not None:
        mu, var = (torch.as_tensor(r, dtype=torch.float64) for r in running)
    else:
        mu, var = a.mean(0), a.var(0, unbiased=False)
    return (a - mu) / torch.sqrt(var + EPS) * gamma + beta


def _scores(torch, inputs, p, *, train=True, variant="", running=()):
    """The net's scores in torch: train mode with the dropout masks, or test mode."""
    norm = None if variant == "no_norm" else inputs["normalization"]
    if variant == "ln_as_bn" and norm == "layernorm":
        norm = "batchnorm"
    x = torch.as_tensor(np.asarray(inputs["X"]), dtype=torch.float64)
    h = x.reshape(x.shape[0], -1)
    layers = len(inputs["hidden_dims"]) + 1
    widths = [*inputs["hidden_dims"], inputs["num_classes"]]
    masks = _masks(inputs, widths) if train and variant != "no_dropout" else [None] * layers
    keep = float(inputs["keep"])
    for k in range(1, layers):
        h = h @ p[f"W{k}"] + p[f"b{k}"]
        if norm:
            stats = running[k - 1] if not train and k - 1 < len(running) else None
            h = _norm(torch, h, p[f"gamma{k}"], p[f"beta{k}"], norm, stats)
        h = torch.relu(h)
        if masks[k - 1] is not None:
            h = h * torch.as_tensor(masks[k - 1], dtype=torch.float64) / keep
    scores = h @ p[f"W{layers}"] + p[f"b{layers}"]
    if variant == "dropout_scores" and masks[-1] is not None:
        scores = scores * torch.as_tensor(masks[-1], dtype=torch.float64) / keep
    return scores


def reference(inputs, variant: str = "", running=()) -> dict:
    """The twin's loss, grads (by the course's names) and test-mode scores. variant: a
    known mistake ("no_last_l2", "no_reg", "reg_all", "dropout_scores", "ln_as_bn",
    "no_dropout", "no_norm")."""
    import torch

    p = {k: torch.tensor(np.asarray(v, dtype=np.float64), requires_grad=True)
         for k, v in inputs["params"].items()}
    scores = _scores(torch, inputs, p, variant=variant)
    y = torch.as_tensor(np.asarray(inputs["y"], dtype=np.int64))
    layers = len(inputs["hidden_dims"]) + 1
    reg = 0.0 if variant == "no_reg" else float(inputs["reg"])
    weights = [f"W{k}" for k in range(1, layers if variant == "no_last_l2" else layers + 1)]
    weights = list(p) if variant == "reg_all" else weights
    loss = torch.nn.functional.cross_entropy(scores, y) + 0.5 * reg * sum(
        (p[k] ** 2).sum() for k in weights)
    grads = torch.autograd.grad(loss, list(p.values()), allow_unused=True)   # no_norm: γ, β
    with torch.no_grad():
        test = _scores(torch, inputs, p, train=False, running=running)
    return {"loss": float(loss.detach()), "grads": {
                k: np.zeros_like(inputs["params"][k]) if g is None else g.numpy()
                for k, g in zip(p, grads)},
            "scores": test.numpy(), "l2": sum(float(np.sum(np.square(inputs["params"][f"W{k}"])))
                                              for k in range(1, layers + 1))}


def _running(got, inputs) -> list:
    """The student's running averages before the test-mode call, each (mean, var): zeros
    when absent or not of the layer's width (the course's skeleton's default)."""
    out = []
    for k, width in enumerate(inputs["hidden_dims"]):
        held = got.get("running") or []
        held = held[k] if k < len(held) and isinstance(held[k], dict) else {}
        mean, var = held.get("running_mean"), held.get("running_var")
        # (1, D) from keepdims sums (the 2019 layers.py many started from) is (D,) here
        ok = all(isinstance(v, np.ndarray) and v.size == width for v in (mean, var))
        out.append((mean.reshape(-1), var.reshape(-1)) if ok
                   else (np.zeros(width), np.zeros(width)))
    return out


def _mistakes(inputs, ok: dict) -> dict:
    """The known mistakes, each a wrong twin: {words: its reference}."""
    reg, layers = float(inputs["reg"]), len(inputs["hidden_dims"]) + 1
    out = {}
    if reg:
        out[f"the last layer's weights W{layers} left out of the L2 term"] = reference(
            inputs, "no_last_l2")
        out["the L2 regularization left out (0.5·reg·ΣW² in the loss, reg·W in the W "
            "gradients)"] = reference(inputs, "no_reg")
        out["the biases (and gamma, beta) regularized too: L2 is over the weights W only"] = \
            reference(inputs, "reg_all")
    if float(inputs["keep"]) < 1:
        out["dropout applied to the scores too (after the last affine layer)"] = reference(
            inputs, "dropout_scores")
        out["no dropout (the loss of the same net without it)"] = reference(
            inputs, "no_dropout")
    if inputs["normalization"]:
        out[f"no {inputs['normalization']} (the loss of the same net without it)"] = \
            reference(inputs, "no_norm")
    if inputs["normalization"] == "layernorm":
        out["layer norm computed as batch norm (over the batch, not over each example's "
            "features)"] = reference(inputs, "ln_as_bn")
    return out


def _loss_finding(got, inputs, ok, wrong) -> Finding | None:
    reg = float(inputs["reg"])
    extra = [("the L2 term without its factor 0.5 (the course's is 0.5·reg·ΣW²)",
              ok["loss"] + 0.5 * reg * ok["l2"])] if reg else []
    found = diagnose_array(got.get("loss"), ok["loss"], equation="loss", name="the loss",
                           mistakes=extra + [(w, r["loss"]) for w, r in wrong.items()])
    if found is not None and found.kind is Kind.VALUE:      # a number has no index
        found.diagnosis = (f"the loss is wrong: expected {ok['loss']:.6g}, got "
                           f"{float(got['loss']):.6g}")
    return found


def _grads_finding(got, inputs, ok, wrong) -> Finding | None:
    grads = got.get("grads")
    if not isinstance(grads, dict) or "type" in grads:
        return Finding("api", "loss(X, y) returned no dict of gradients", kind=Kind.API)
    lacking = [k for k in ok["grads"] if k not in grads]
    if lacking:
        return Finding("backward", f"grads lacks {', '.join(lacking)}: grads[k] must hold "
                       "the gradient of self.params[k] (gamma and beta too with a norm)",
                       kind=Kind.KEYS)
    reg, params = float(inputs["reg"]), inputs["params"]
    for key, expected in ok["grads"].items():
        extra = [("the L2 term's gradient as 2·reg·W (its 0.5 left out)",
                  expected + reg * np.asarray(params[key]))] if reg and key[0] == "W" else []
        found = diagnose_array(grads[key], expected, equation="backward",
                               name=f"grads['{key}']", mistakes=extra + [
                                   (w, r["grads"][key]) for w, r in wrong.items()])
        if found is not None:
            return found
    return None


def _scores_finding(got, inputs, ok, old_skeleton: bool) -> Finding | None:
    found = diagnose_array(got.get("scores"), ok["scores"], equation="forward",
                           name="the test-mode scores of loss(X)")
    if found is None or not (old_skeleton and inputs["normalization"] == "batchnorm"):
        return found
    # the 2016-17 skeleton's `bn_param[mode] = mode`: test mode on the batch's statistics
    batch = {**inputs, "keep": 1.0}
    import torch
    p = {k: torch.as_tensor(np.asarray(v, dtype=np.float64)) for k, v in inputs["params"].items()}
    with torch.no_grad():
        alt = _scores(torch, batch, p).numpy()
    return None if diagnose_array(got.get("scores"), alt, equation="forward") is None \
        else found


def _once(got: dict, case: GradeCase, name: str) -> Finding | None:
    """The verdict on one run of the student's net."""
    inputs = case.inputs
    if got.get("stub"):
        return Finding("api", f"{name} is a stub (not implemented yet: {got['stub']})",
                       kind=Kind.MISSING)
    if "skip" in got:
        return None                     # the student's version of the net has no such case
    if "raised" in got:
        raised = got["raised"] if isinstance(got["raised"], dict) else {}
        return Finding("runtime", f"{raised.get('type', 'Exception')}: "
                       f"{raised.get('error', '')}", kind=Kind.RUNTIME)
    if got.get("wrong") and not got.get("params"):
        return Finding("api", f"{name}: the constructor leaves self.params empty (still the "
                       "course's skeleton?)", kind=Kind.MISSING)
    if got.get("wrong"):
        norm = inputs["normalization"]
        return Finding("init", "self.params after the constructor" + (
            f" (normalization={norm!r})" if norm else "") + f" lacks {', '.join(got['wrong'])}"
            " (the course's names: W1..WL, b1..bL, gamma1, beta1.. with a norm)",
            kind=Kind.KEYS)
    if "form" in got:
        return Finding("api", f"loss(X, y) returned {got['form']}, expected (loss, grads)",
                       kind=Kind.API)
    if got.get("scores") is None and got.get("grads") == {}:
        return Finding("api", f"{name} is still the course's skeleton (loss(X) returns None "
                       "scores, loss(X, y) an empty grads)", kind=Kind.MISSING)
    ok = reference(inputs, running=_running(got, inputs))
    if _compare(got, inputs, ok, {}) is None:
        return None
    return _compare(got, inputs, ok, _mistakes(inputs, ok))   # the wrong twins: on failure


def _compare(got, inputs, ok, wrong) -> Finding | None:
    """The first disagreement: the loss, then grads, then the test-mode scores."""
    return (_loss_finding(got, inputs, ok, wrong) or _grads_finding(got, inputs, ok, wrong)
            or _scores_finding(got, inputs, ok, bool(got.get("old_skeleton"))))


def _judge(name: str):
    def judge(got, case):
        found = _once(got, case, name)
        other = got.get("replaced")
        if found is None or not isinstance(other, dict):
            return found
        second = _once(other, case, name)
        if second is None:
            return None
        return found if second.kind in (Kind.RUNTIME, Kind.FORWARD_RAISED) else second
    judge.__doc__ = f"{name}: loss, grads and test-mode scores against torch autograd."
    return judge


NETS = [
    GradedFunction("FullyConnectedNet.loss", PROBE, _cases("FullyConnectedNet", NET_CASES),
                   _judge("FullyConnectedNet.loss"), helpers=HELPERS),
    GradedFunction("TwoLayerNet.loss", PROBE, _cases("TwoLayerNet", TWO_LAYER_CASES),
                   _judge("TwoLayerNet.loss"), optional=True, helpers=HELPERS),
]
