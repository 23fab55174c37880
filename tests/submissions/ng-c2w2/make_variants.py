"""Regenerate the ng-c2w2 catalog variants from correct.py: one known change per file.

Run from this directory: python make_variants.py (overwrites the generated files)."""
import json

base = open("correct.py").read()
DOC = base[:base.index('"""', 3) + 3]   # correct.py's module docstring


def variant(doc, *pairs, upto=None):
    s = base.replace(DOC, f'"""{doc}"""', 1)
    s = s[:s.index(upto)] + "\n" if upto else s
    for old, new in pairs:
        assert old in s, old
        s = s.replace(old, new, 1)
    return s


def mk(name, doc, *pairs, upto=None):
    open(name + ".py", "w").write(variant(doc, *pairs, upto=upto))


def notebook(name, doc, *pairs):
    """The variant as the course's notebook: one code cell per function, a markdown cell
    first, an IPython magic in the imports cell."""
    source = variant(doc, *pairs).replace("import numpy as np\n", "%matplotlib inline\n"
                                          "import numpy as np\n", 1)
    chunks = source.split("\n\n\n")
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# Optimization Methods\n"]}]
    cells += [{"cell_type": "code", "execution_count": i + 1, "metadata": {}, "outputs": [],
               "source": chunk.strip("\n").splitlines(keepends=True)}
              for i, chunk in enumerate(chunks)]
    nb = {"cells": cells, "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4,
          "nbformat_minor": 2}
    open(name + ".ipynb", "w").write(json.dumps(nb, indent=1) + "\n")


ADAM_W = ('parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * v_corrected[key] '
          '/ (np.sqrt(s_corrected[key]) + epsilon)')

# --- buggy: one known mistake each
mk("bug_adam_no_bias_correction", "Planted bug: Adam steps with v and s, not the corrected.",
   (ADAM_W, 'parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * v[key] / '
            '(np.sqrt(s[key]) + epsilon)'))
mk("bug_adam_t_not_used", "Planted bug: the bias correction uses the layer number l for t.",
   ("v_corrected[key] = v[key] / (1 - beta1 ** t)", "v_corrected[key] = v[key] / (1 - beta1 ** l)"),
   ("s_corrected[key] = s[key] / (1 - beta2 ** t)", "s_corrected[key] = s[key] / (1 - beta2 ** l)"))
mk("bug_adam_eps_inside_sqrt", "Planted bug: epsilon inside the square root.",
   ("(np.sqrt(s_corrected[key]) + epsilon)", "np.sqrt(s_corrected[key] + epsilon)"))
mk("bug_momentum_velocity_not_stored", "Planted bug: the new velocity is computed but not "
   "stored in v.",
   ('        v["dW" + str(l)] = beta * v["dW" + str(l)] + (1 - beta) * grads["dW" + str(l)]\n'
    '        v["db" + str(l)] = beta * v["db" + str(l)] + (1 - beta) * grads["db" + str(l)]\n'
    '        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * v["dW" + str(l)]\n'
    '        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * v["db" + str(l)]\n',
    '        v_dW = beta * v["dW" + str(l)] + (1 - beta) * grads["dW" + str(l)]\n'
    '        v_db = beta * v["db" + str(l)] + (1 - beta) * grads["db" + str(l)]\n'
    '        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * v_dW\n'
    '        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * v_db\n'))
mk("bug_minibatch_last_dropped", "Planted bug: the last, smaller mini-batch is left out.",
   ("    if m % mini_batch_size != 0:\n", "    if False:\n"))
mk("bug_minibatch_shuffled_differently", "Planted bug: X and Y shuffled with two "
   "permutations.",
   ("shuffled_Y = Y[:, permutation].reshape((1, m))",
    "shuffled_Y = Y[:, list(np.random.permutation(m))].reshape((1, m))"))
mk("stub_adam", "Planted stub: update_parameters_with_adam still the notebook's placeholders.",
   ('            v[key] = beta1 * v[key] + (1 - beta1) * grads[key]\n'
    '            v_corrected[key] = v[key] / (1 - beta1 ** t)\n'
    '            s[key] = beta2 * s[key] + (1 - beta2) * np.square(grads[key])\n'
    '            s_corrected[key] = s[key] / (1 - beta2 ** t)\n'
    '            ' + ADAM_W + '\n',
    '            v[key] = None\n            v_corrected[key] = None\n'
    '            s[key] = None\n            s_corrected[key] = None\n'
    '            parameters[p + str(l)] = None\n'))

mk("stub_mini_batches", "Planted stub: random_mini_batches still the notebook's "
   "placeholders.",
   ("        mini_batch_X = shuffled_X[:, k * inc:(k + 1) * inc]\n"
    "        mini_batch_Y = shuffled_Y[:, k * inc:(k + 1) * inc]\n",
    "        mini_batch_X = None\n        mini_batch_Y = None\n"),
   ("        mini_batch_X = shuffled_X[:, num_complete_minibatches * inc:]\n"
    "        mini_batch_Y = shuffled_Y[:, num_complete_minibatches * inc:]\n",
    "        mini_batch_X = None\n        mini_batch_Y = None\n"))

# --- harmless: right answers written another way
mk("variant_adam_three_values", "Equivalent: the older notebook, update_parameters_with_adam "
   "returning (parameters, v, s), and no learning-rate decay.",
   ("    return parameters, v, s, v_corrected, s_corrected\n", "    return parameters, v, s\n"),
   upto="\n\n\ndef update_lr(")
mk("variant_in_place", "Equivalent: parameters and v updated in place (-=, *=), another "
   "shuffle (a Generator's permutation) and an integer floor.",
   ('        v["dW" + str(l)] = beta * v["dW" + str(l)] + (1 - beta) * grads["dW" + str(l)]\n',
    '        v["dW" + str(l)] *= beta\n        v["dW" + str(l)] += (1 - beta) * grads["dW" + str(l)]\n'),
   ('        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * v["dW" + str(l)]\n',
    '        parameters["W" + str(l)] -= learning_rate * v["dW" + str(l)]\n'),
   ("    permutation = list(np.random.permutation(m))\n",
    "    permutation = np.random.default_rng(seed + 1).permutation(m)\n"),
   ("np.floor(epoch_num / time_interval)", "(epoch_num // time_interval)"))
notebook("variant_notebook", "Equivalent: the notebook itself (.ipynb), one cell per "
         "function.")

# --- hostile
mk("hostile_torch_import", "Hostile: Adam from torch.optim.",
   ("import numpy as np\n", "import numpy as np\nimport torch\n"))
mk("hostile_minibatch_fixed_order", "Hostile: random_mini_batches 'shuffles' by reversing "
   "the columns: every example once, not in order, and the same for every seed.",
   ("    permutation = list(np.random.permutation(m))\n",
    "    permutation = list(range(m))[::-1]\n"))
mk("hostile_minibatch_seed_ignored", "Hostile: random_mini_batches seeds with 0 whatever "
   "its seed: the same mini-batches every epoch.",
   ("    np.random.seed(seed)\n", "    np.random.seed(0)\n"))
