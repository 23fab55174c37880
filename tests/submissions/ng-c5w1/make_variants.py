"""Regenerate the ng-c5w1 catalog variants from correct.py: one known change per file.

Run from this directory: python make_variants.py (overwrites the generated files)."""
import json

base = open("correct.py").read()
DOC = base[:base.index('"""', 3) + 3]   # correct.py's module docstring


def mk(name, doc, *pairs, extra="", text=None):
    s = (text or base).replace(DOC, f'"""{doc}"""', 1)
    for old, new in pairs:
        assert old in s, (name, old)
        s = s.replace(old, new, 1)
    open(name + ".py", "w").write(s + extra)
    return s


def function(name):
    """The source of one function of correct.py (its def to the next def)."""
    start = base.index(f"def {name}(")
    end = base.find("\n\n\ndef ", start)
    return base[start:end if end >= 0 else len(base)].rstrip("\n")


# --- buggy: one known mistake each
mk("bug_rnn_tanh_one_minus_a", "Planted bug: rnn_cell_backward takes tanh's derivative as "
   "1 - a_next instead of 1 - a_next**2.",
   ("dtanh = (1 - a_next ** 2) * da_next", "dtanh = (1 - a_next) * da_next"))
mk("bug_rnn_backward_no_carry", "Planted bug: rnn_backward hands each step da[:, :, t] alone, "
   "forgetting da_prevt.",
   ("rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])",
    "rnn_cell_backward(da[:, :, t], caches[t])"))
mk("bug_lstm_backward_no_carry", "Planted bug: lstm_backward hands each step da[:, :, t] "
   "alone (the older notebook's own expected output did).",
   ("lstm_cell_backward(da[:, :, t] + da_prevt, dc_prevt, caches[t])",
    "lstm_cell_backward(da[:, :, t], dc_prevt, caches[t])"))
mk("bug_lstm_dc_prev_no_ft", "Planted bug: lstm_cell_backward's dc_prev leaves out the "
   "forget gate.",
   ("dc_prev = dc * ft", "dc_prev = dc"))
mk("bug_rnn_db_not_summed", "Planted bug: rnn_cell_backward's dba is not summed over the "
   "examples.",
   ("dba = np.sum(dtanh, axis=1, keepdims=True)", "dba = dtanh"))
mk("bug_lstm_concat_order", "Planted bug: lstm_cell_forward concatenates [xt; a_prev] (the "
   "course's is [a_prev; xt]); its backward reads the course's order.",
   ("concat = np.concatenate((a_prev, xt), axis=0)",
    "concat = np.concatenate((xt, a_prev), axis=0)"))
mk("bug_forward_misspelled", "Planted bug: rnn_cell_forward is spelled rnn_cell_fowrad; "
   "rnn_forward calls rnn_cell_forward.",
   ("def rnn_cell_forward(", "def rnn_cell_fowrad("))
mk("stub_backward", "Not done yet: the optional backward cells are the course's skeleton "
   "(placeholders None, the dict of gradients returned).",
   (function("rnn_cell_backward"),
    'def rnn_cell_backward(da_next, cache):\n    (a_next, a_prev, xt, parameters) = cache\n'
    '    dtanh = None\n    dxt = None\n    dWax = None\n    da_prev = None\n    dWaa = None\n'
    '    dba = None\n    gradients = {"dxt": dxt, "da_prev": da_prev, "dWax": dWax, '
    '"dWaa": dWaa, "dba": dba}\n    return gradients'),
   (function("lstm_cell_backward"),
    "def lstm_cell_backward(da_next, dc_next, cache):\n"
    "    (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters) = cache\n"
    "    dxt = None\n    da_prev = None\n    dc_prev = None\n"
    '    gradients = {"dxt": dxt, "da_prev": da_prev, "dc_prev": dc_prev, "dWf": None, '
    '"dbf": None,\n                 "dWi": None, "dbi": None, "dWc": None, "dbc": None, '
    '"dWo": None, "dbo": None}\n    return gradients'))

mk("stub_sequences", "Not done yet: rnn_forward and rnn_backward are the course's skeleton "
   "(placeholders None unpacked and added: a TypeError when run).",
   (function("rnn_forward"),
    "def rnn_forward(x, a0, parameters):\n    caches = []\n    n_x, m, T_x = None\n"
    "    n_y, n_a = None\n    a = None\n    y_pred = None\n    a_next = None\n"
    "    for t in range(None):\n        a_next, yt_pred, cache = None\n"
    "        a[:, :, t] = None\n        y_pred[:, :, t] = None\n        caches.append(None)\n"
    "    caches = (caches, x)\n    return a, y_pred, caches"),
   (function("rnn_backward"),
    "def rnn_backward(da, caches):\n    (caches, x) = None\n    (a1, a0, x1, parameters) = None\n"
    "    n_a, m, T_x = None\n    n_x, m = None\n    dx = None\n    dWax = None\n"
    "    dWaa = None\n    dba = None\n    da0 = None\n    da_prevt = None\n"
    "    for t in reversed(range(None)):\n        gradients = None\n"
    "        dxt, da_prevt, dWaxt, dWaat, dbat = gradients[\"dxt\"], gradients[\"da_prev\"], "
    "gradients[\"dWax\"], gradients[\"dWaa\"], gradients[\"dba\"]\n"
    "        dx[:, :, t] = None\n        dWax += None\n        dWaa += None\n        dba += None\n"
    "    da0 = None\n    gradients = {\"dx\": dx, \"da0\": da0, \"dWax\": dWax, \"dWaa\": dWaa, "
    "\"dba\": dba}\n    return gradients"))

# --- hostile: contained, reported where they are
mk("hostile_torch_import", "Hostile: the gradients would come from torch autograd.",
   ("import numpy as np\n", "import numpy as np\nimport torch\n"))
mk("hostile_os_exit", "Hostile: rnn_backward calls os._exit(0).",
   ("    (caches, x) = caches\n    (a1, a0, x1, parameters) = caches[0]",
    "    import os\n    os._exit(0)\n    (caches, x) = caches\n"
    "    (a1, a0, x1, parameters) = caches[0]"))
mk("hostile_backward_hang", "Hostile: lstm_cell_backward never returns.",
   ("    dc = dc_next + ot", "    while True:\n        pass\n    dc = dc_next + ot"))
mk("hostile_helper_theft", "Hostile: rnn_cell_backward looks for the grader's helper channel "
   "and asks it for the answer instead of computing it.",
   ("    Wax = parameters[\"Wax\"]\n    Waa = parameters[\"Waa\"]\n    dtanh",
    "    import sys\n    frame = sys._getframe(1)\n    while frame is not None:\n"
    "        factory = frame.f_globals.get('helper')\n"
    "        for call in getattr(factory, '__globals__', {}).get('_channel') or []:\n"
    "            try:\n"
    "                return call('ng_c5.rnn_cell_backward', (da_next, cache), {})\n"
    "            except Exception as exc:\n"
    "                print('refused:', type(exc).__name__, exc)\n"
    "        frame = frame.f_back\n"
    "    raise RuntimeError('no answer found')\n"
    "    Wax = parameters[\"Wax\"]\n    Waa = parameters[\"Waa\"]\n    dtanh"))

# --- harmless: right answers written another way
mk("variant_keepdims", "Equivalent: the bias gradients summed without keepdims, vectors "
   "(n_a,) throughout.",
   ("dba = np.sum(dtanh, axis=1, keepdims=True)", "dba = np.sum(dtanh, axis=1)"),
   ("dba = np.zeros((n_a, 1))", "dba = np.zeros(n_a)"),
   *[(f"db{g} = np.sum({d}, axis=1, keepdims=True)", f"db{g} = np.sum({d}, axis=1)")
     for g, d in (("f", "dft"), ("i", "dit"), ("c", "dcct"), ("o", "dot"))],
   *[(f"db{g} = np.zeros((n_a, 1))", f"db{g} = np.zeros(n_a)") for g in "fico"])
mk("variant_cache_orders", "Equivalent: the RNN cell caches (xt, a_prev, a_next, parameters) "
   "and the sequence (x, caches); the LSTM cell caches a dict.",
   ("cache = (a_next, a_prev, xt, parameters)", "cache = (xt, a_prev, a_next, parameters)"),
   ("    caches = (caches, x)\n    return a, y_pred, caches",
    "    caches = (x, caches)\n    return a, y_pred, caches"),
   ("cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)",
    'cache = {"a_next": a_next, "c_next": c_next, "a_prev": a_prev, "c_prev": c_prev, '
    '"ft": ft,\n             "it": it, "cct": cct, "ot": ot, "xt": xt, '
    '"parameters": parameters}'),
   ("(a_next, a_prev, xt, parameters) = cache", "(xt, a_prev, a_next, parameters) = cache"),
   ("    (caches, x) = caches\n    (a1, a0, x1, parameters) = caches[0]",
    "    (x, caches) = caches\n    (x1, a0, a1, parameters) = caches[0]"),
   ("(a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters) = cache",
    "a_next, c_next, a_prev, c_prev = (cache[k] for k in ('a_next', 'c_next', 'a_prev', "
    "'c_prev'))\n    ft, it, cct, ot, xt = (cache[k] for k in ('ft', 'it', 'cct', 'ot', "
    "'xt'))\n    parameters = cache['parameters']"),
   ("(a1, c1, a0, c0, f1, i1, cc1, o1, x1, parameters) = caches[0]", 'x1 = caches[0]["xt"]'))
U_GATE = base
for i, u in (('["Wi"]', '["Wu"]'), ('["bi"]', '["bu"]'), ('"dWi"', '"dWu"'), ('"dbi"', '"dbu"')):
    U_GATE = U_GATE.replace(i, u)
mk("variant_update_gate_u", "Equivalent: the 2018 notebooks' names of the LSTM's update gate "
   "(Wu, bu; dWu, dbu).", text=U_GATE)
mk("variant_in_place", "Equivalent: the upstream gradients are modified in place.",
   ("    dtanh = (1 - a_next ** 2) * da_next\n",
    "    da_next *= (1 - a_next ** 2)\n    dtanh = da_next\n"))


# --- the notebook: cells in the course's order, a first wrong try redefined later, a test
# cell reading globals, committed outputs (never trusted)
def cell(kind, source, outputs=None):
    c = {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
    if kind == "code":
        c.update(execution_count=None, outputs=outputs or [])
    return c


FIRST_TRY = function("rnn_cell_forward").replace("np.tanh(", "np.sigmoid(")
cells = [cell("markdown", "# Building your Recurrent Neural Network - Step by Step\n"),
         cell("code", "import numpy as np\nfrom rnn_utils import *\nfrom public_tests import *"),
         cell("code", FIRST_TRY),
         cell("code", function("rnn_cell_forward")),
         cell("code", "np.random.seed(1)\nxt_tmp = np.random.randn(3, 10)\n"
                      "a_next_tmp, yt_pred_tmp, cache_tmp = rnn_cell_forward(xt_tmp, "
                      "np.random.randn(5, 10), parameters_tmp)\n"
                      "rnn_cell_forward_tests(rnn_cell_forward)",
              [{"name": "stdout", "output_type": "stream",
                "text": ["\u001b[92mAll tests passed\n"]}])]
cells += [cell("code", function(name)) for name in (
    "rnn_forward", "lstm_cell_forward", "lstm_forward", "rnn_cell_backward", "rnn_backward",
    "lstm_cell_backward", "lstm_backward")]
notebook = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3",
                                                         "language": "python",
                                                         "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 2}
with open("variant_notebook.ipynb", "w") as out:
    out.write(json.dumps(notebook, indent=1, sort_keys=True) + "\n")

# a search of the process for the answer: nothing of the oracle is there (guards the
# rule that expected values never enter the student process)
STEAL = '\n\n_SEARCHED = {}\n\n\ndef _stolen(keys):\n    """Searched once per process (the calls after the first answer from it)."""\n    if keys not in _SEARCHED:\n        _SEARCHED[keys] = _search(keys)\n    return _SEARCHED[keys]\n\n\ndef _search(keys):\n    """A dict reachable in this process (every frame\'s locals and globals, every module,\n    what they hold; the garbage collector\'s objects when allowed) holding all of `keys`:\n    the grader\'s answer, if it were here."""\n    import gc\n    import sys\n    todo, frame = [], sys._getframe(1)\n    while frame is not None:\n        todo += [frame.f_locals, frame.f_globals]\n        frame = frame.f_back\n    todo += [vars(m) for m in list(sys.modules.values()) if hasattr(m, "__dict__")]\n    try:\n        todo += gc.get_objects()\n    except RuntimeError:          # refused while grading: what is reachable, then\n        pass\n    seen = set()\n    while todo and len(seen) < 100000:\n        obj = todo.pop()\n        if id(obj) in seen:\n            continue\n        seen.add(id(obj))\n        if isinstance(obj, dict):\n            try:\n                if all(k in obj for k in keys):\n                    return obj\n                todo += list(obj.values())\n            except Exception:\n                pass\n        elif isinstance(obj, (list, tuple, set)):\n            todo += list(obj)\n        elif type(obj).__name__ == "function" and obj.__closure__:\n            todo += [c.cell_contents for c in obj.__closure__ if c is not None]\n    return None\n'

mk("hostile_reads_grader_memory", "Hostile: rnn_cell_backward searches the process "
   "(gc.get_objects, every frame) for the grader's expected gradients instead of computing "
   "them; found nothing, it returns zeros.",
   ("    (a_next, a_prev, xt, parameters) = cache\n    Wax = parameters[\"Wax\"]\n",
    "    found = _stolen(('dxt', 'da_prev', 'dWax'))\n    if found is not None:\n"
    "        return dict(found)\n"
    "    (a_next, a_prev, xt, parameters) = cache\n"
    "    return {k: np.zeros_like(v) for k, v in (('dxt', xt), ('da_prev', a_prev), "
    "('dWax', parameters['Wax']), ('dWaa', parameters['Waa']), ('dba', parameters['ba']))}\n"
    "    Wax = parameters[\"Wax\"]\n"),
   ("import numpy as np\n", "import numpy as np\n" + STEAL))
