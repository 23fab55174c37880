"""The grader's catalog: the verdict each file in tests/submissions/<style> must get.

Data, not code (the templates that run over it are in test_grade_catalog.py, in
the manner of PyTorch's OpInfo). CATALOGS maps a style ("ng", "saito",
"nielsen") to its Catalog, and every file of the style's folder is listed in
exactly one of:

- fails: {file: {graded function: substring of "[equation] diagnosis"}}. The
  listed functions must fail with that diagnosis and score 0 (status "missing"
  when the diagnosis says the function "is not defined", else "failed"); every
  function not listed must pass (a bug is reported where it is, not in
  everything downstream).
- errors: {file: substring of the submission-level error}. The submission is
  refused or cannot be loaded, and the whole of it scores zero.
- full_marks: [file]. Equivalent code (ok_*, variant_*): every function passes and
  the score is the maximum, correct.py at each seed in SEEDS, each variant at one of
  them in turn.

not_defined: {file: optional functions the file leaves out}. Those must be
reported as "supplied" (the course provides them: full credit, the same
maximum as everyone's) instead of passing; for every other file each graded
function is defined.
helpers: files in the folder that are not submissions (make_variants.py).
isolation: hostile files whose containment needs the operating system's isolation
(root), a listener or a memory limit of their own: tests/test_grade_sandbox.py
checks them, not the templates.
graded_as: the style named on the command line when it is not the folder's:
nielsen2's files are graded with `--style nielsen`, which must recognize them
as chapter 3 (the verdicts are nielsen2's).

Every style is graded alike: TIMEOUT seconds per function (the hostile files'
diagnoses quote it) and, for full marks, the seeds in SEEDS (see full_marks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

SUBMISSIONS = Path(__file__).parent / "submissions"
TIMEOUT = 2.0   # seconds per function; a clean one takes milliseconds, a net 0.6 s at load 20
TIMED_OUT = f"timed out after {TIMEOUT:g} s"   # the hang diagnoses quote it
SEEDS = (0, 1)


@dataclass(frozen=True)
class Catalog:
    fails: dict[str, dict[str, str]]
    errors: dict[str, str]
    full_marks: list[str]
    not_defined: dict[str, set[str]] = field(default_factory=dict)
    helpers: frozenset[str] = frozenset()
    isolation: frozenset[str] = frozenset()
    graded_as: str | None = None


# ng's four activation helpers come with the course (dnn_utils), so a notebook may omit them
NG_PROVIDED = {"sigmoid", "relu", "sigmoid_backward", "relu_backward"}
# Ng's course 2 week 1: the three notebooks' functions (a file may hold one, two or three)
NG_C2W1_PARTS = [{"initialize_parameters_zeros", "initialize_parameters_random",
                  "initialize_parameters_he"},
                 {"compute_cost_with_regularization", "backward_propagation_with_regularization",
                  "forward_propagation_with_dropout", "backward_propagation_with_dropout"},
                 {"forward_propagation", "backward_propagation", "gradient_check",
                  "gradient_check_n"}]

# the diagnosis of a function whose part of an assignment (a notebook, a file) the
# submission does not hold: missing
ABSENT_PART = "its part of the assignment is not in this submission"


def _absent(parts, *which) -> dict[str, str]:
    return {f: ABSENT_PART for i in which for f in parts[i]}


CATALOGS = {
    "ng": Catalog(
        fails={
            "bug_missing_1_over_m.py": {"linear_backward": "[BP4] dW is m = 3 times too large: "
                                        "the 1/m"},
            "bug_extra_1_over_m.py": {"linear_backward": "[BP2] dA_prev is m = 3 times too "
                                      "small"},
            "bug_transposed.py": {"linear_backward": "[BP4] dW has shape (2, 1), expected "
                                  "(1, 2): the matrix is transposed"},
            "bug_wrong_axis.py": {"linear_backward": "[BP3] db has shape (1, 3), expected "
                                  "(1, 1): summed over the wrong axis"},
            "bug_no_keepdims.py": {"linear_backward": "[BP3] db has shape (1,), expected "
                                   "(1, 1): a rank-1 array"},
            # issue 18: diagnosed "summed over the wrong axis" by its shape alone
            "bug_db_from_w.py": {"linear_backward": "[BP3] db: computed as Wᵀ·dZ/m"},
            "bug_wrong_sign.py": {"L_model_backward": "[BP1] grads['dW1'] has the wrong sign"},
            "bug_derivative_of_a.py": {"linear_activation_backward": "[BP1] dA_prev: σ'(a) "
                                       "used instead of σ'(z)"},
            "bug_cache_as_a.py": {"sigmoid_backward": "σ'(a) used instead of σ'(z)"},
            "bug_mutates_input.py": {"relu_backward": "modified its input `dA` in place"},
            "bug_misnamed_keys.py": {"L_model_backward": "missing the key(s) dW1; found dA0, "
                                     "dA1, dw1"},
            "bug_unstable_sigmoid.py": {"sigmoid": "A contains NaN: numerically unstable"},
            "bug_init_no_scale.py": {"initialize_parameters_deep": "too large; scale "
                                     "np.random.randn"},
            "bug_init_zeros.py": {"initialize_parameters_deep": "no symmetry breaking"},
            "bug_init_shape.py": {"initialize_parameters_deep": "wrong initialization shape"},
            "bug_init_uniform.py": {"initialize_parameters_deep": "[init] parameters['W1']: "
                                    "every weight is ≥ 0: np.random.rand draws uniformly "
                                    "from [0, 1), not centered at 0"},
            "bug_init_uniform_scaled.py": {"initialize_parameters_deep": "np.random.rand draws "
                                           "uniformly from [0, 1), not centered at 0; use "
                                           "np.random.randn"},
            "bug_cost_inf.py": {"compute_cost": "cost contains inf"},
            "bug_cost_no_mean.py": {"compute_cost": "[cost] cost: summed without the mean"},
            "bug_wrong_return.py": {"linear_forward": "should return (Z, cache) (got ndarray)"},
            "bug_forward_no_bias.py": {"linear_forward": "the bias b is missing"},
            "bug_update_plus.py": {"update_parameters": "added the gradient instead of "
                                   "subtracting"},
            "bug_uses_missing_helper.py": {"compute_cost": "the module `dnn_utils` is not "
                                           "available"},
            "hostile_infinite_loop.py": {"linear_forward": TIMED_OUT},
            "hostile_ignore_sigterm.py": {"linear_backward": TIMED_OUT},
            "hostile_memory_hog.py": {"linear_backward": "MemoryError"},
            "hostile_os_exit.py": {"compute_cost": "exited with code 0 before returning "
                                   "results"},
            "hostile_segfault.py": {"linear_forward": "SIGSEGV"},
            "hostile_monkeypatch_numpy.py": {"linear_forward": "Z is wrong at index",
                                             "compute_cost": "not a numeric array"},
            "hostile_input_zeroing.py": {"linear_backward": "modified its input `dZ` in place"},
            "hostile_frame_forger.py": {"linear_forward": "wrote into the grader's result "
                                        "channel"},
            # the student's process holds no other input, no correct helper it may not ask for
            "hostile_frame_inputs.py": {"L_model_forward": "RuntimeError: no answer found",
                                        "linear_activation_backward": "RuntimeError: no answer "
                                        "found"},
            "hostile_helper_theft.py": {"linear_backward": "RuntimeError: no answer found"},
            "hostile_huge_return.py": {"sigmoid": "[api] sigmoid returned a value too large"},
            "hostile_fake_report_lines.py": {"linear_backward": "[runtime] ValueError"},
            "hostile_forged_results.py": {"update_parameters": "[runtime] the process returned "
                                          "unreadable results"},
        },
        errors={
            "hostile_exit_at_import.py": "called exit() while loading",
            "hostile_syntax_error.py": "syntax error: hostile_syntax_error.py, line 17",
            "hostile_torch_import.py": "line 3: imports `torch`: autograd libraries are not "
                                       "allowed",
            "hostile_torch_dynamic.py": "imports `torch`",
            "hostile_grader_import.py": "imports `manual`, the grader's own package",
            "hostile_load_hang.py": f"{TIMED_OUT} while loading the submission",
            # reading torch's files counts as importing it (and the grader's are refused)
            "hostile_reads_files.py": "imports `torch`: autograd libraries are not allowed",
        },
        full_marks=["correct.py", "ok_mean_matmul.py", "ok_float32.py", "ok_relu_ge.py",
                    "ok_older_keys.py", "ok_exit_toplevel.py", "ok_notebook.ipynb",
                    "ok_helpers_from_dnn_utils.py", "ok_messy_course_v2.py",
                    "ok_init_xavier.py", "ok_init_he.py",
                    "hostile_huge_output.py", "hostile_orphan.py"],
        not_defined={"ok_helpers_from_dnn_utils.py": NG_PROVIDED,
                     "ok_messy_course_v2.py": NG_PROVIDED},
        helpers=frozenset({"make_variants.py"}),
        isolation=frozenset({"hostile_network.py", "hostile_leftover_files.py",
                             "hostile_fork_memory.py", "hostile_other_grader.py",
                             "hostile_escape_calls.py",
                             # refused by the guard, or (allow-list) torch does not exist
                             "hostile_guard_disable.py",
                             # the trusted side bounded (issue 19): tests/test_grade_bounds.py
                             "hostile_shared_entries.py", "hostile_helper_clock.py",
                             "hostile_forged_pid.py"}),
    ),
    "saito": Catalog(
        fails={
            "bug_affine_extra_m.py": {"Affine.backward": "[BP4] self.dW: divided by the batch "
                                      "size"},
            "bug_softmax_no_m.py": {"SoftmaxWithLoss.backward": "[BP1] dx: not divided by the "
                                    "batch size"},
            "bug_softmax_label_branch_no_m.py": {"SoftmaxWithLoss.backward": "[BP1] dx: not "
                                                 "divided by the batch size"},
            "bug_affine_dW_transposed.py": {"Affine.backward": "[BP4] self.dW is transposed"},
            "bug_affine_db_axis1.py": {"Affine.backward": "[BP3] self.db: summed over the "
                                       "wrong axis"},
            "bug_affine_db_keepdims.py": {"Affine.backward": "[BP3] self.db has shape (1, 1), "
                                          "expected (1,): b is rank-1"},
            "bug_affine_dx_no_transpose.py": {"Affine.backward": "[BP2] dx: used W instead of "
                                              "W.T"},
            "bug_affine_no_attr.py": {"Affine.backward": "must store the gradient as self.dW"},
            "bug_affine_nan.py": {"Affine.backward": "[BP2] dx contains NaN"},
            "bug_sigmoid_of_out.py": {"Sigmoid.backward": "[BP2] dx: derivative of the wrong "
                                      "quantity: computed σ'(out)"},
            "bug_sigmoid_uses_x.py": {"Sigmoid.backward": "derivative of the wrong quantity: "
                                      "used x"},
            "bug_sigmoid_unstable.py": {"Sigmoid.forward": "the sigmoid overflows",
                                        "Sigmoid.backward": "Sigmoid.forward is wrong"},
            "bug_relu_forward_inplace.py": {"Relu.forward": "modified its input `x` in place"},
            "bug_relu_mask_inverted.py": {"Relu.backward": "[BP2] dx: the mask is inverted"},
            "bug_softmax_unstable.py": {"SoftmaxWithLoss.forward": "[cost] loss: NaN/inf on "
                                        "large logits: the softmax overflows",
                                        "SoftmaxWithLoss.backward": "[BP1] dx: NaN/inf on "
                                        "large logits"},
            "bug_softmax_inplace.py": {"SoftmaxWithLoss.forward": "[api] "
                                       "SoftmaxWithLoss.forward modified its input `x` in "
                                       "place"},
            "bug_softmax_whole_batch.py": {"SoftmaxWithLoss.forward": "normalised over the "
                                           "whole batch",
                                           "SoftmaxWithLoss.backward": "normalised over the "
                                           "whole batch"},
            "bug_softmax_loss_sum.py": {"SoftmaxWithLoss.forward": "[cost] loss is m = 4 times "
                                        "too large: the 1/m is missing"},
            "bug_softmax_backward_sign.py": {"SoftmaxWithLoss.backward": "[BP1] dx has the "
                                             "wrong sign"},
            "bug_twolayer_bad_keys.py": {"TwoLayerNet.gradient": "missing the key(s) W1, b1, "
                                         "W2, b2; found dW1"},
            "bug_twolayer_ch4_sigmoid.py": {"TwoLayerNet.gradient": "[BP4] grads['W2']: the "
                                            "hidden layer is a sigmoid (the ch. 4 network)"},
            "bug_twolayer_no_reverse.py": {"TwoLayerNet.gradient": "[runtime] ValueError"},
            "hostile_backward_hang.py": {"Affine.backward": f"[runtime] {TIMED_OUT}"},
            "hostile_segfault.py": {"SoftmaxWithLoss.forward": "[runtime] the process crashed "
                                    "with SIGSEGV", "SoftmaxWithLoss.backward": "SIGSEGV"},
            "hostile_os_exit.py": {"Relu.forward": "[runtime] the process exited with code 0",
                                   "Relu.backward": "exited with code 0"},
            "hostile_helper_theft.py": {"Affine.backward": "RuntimeError: no answer found"},
        },
        errors={"hostile_torch_import.py": "imports `torch`: autograd libraries are not "
                                           "allowed"},
        # the book's ch. 5 text takes one-hot targets only: right, as a TA reads it
        full_marks=["correct.py", "variant_equivalent.py", "variant_notebook_style.py",
                    "variant_softmax_onehot_only.py"],
        not_defined={"variant_equivalent.py": {"TwoLayerNet.gradient"}},
        helpers=frozenset({"make_variants.py"}),
    ),
    "nielsen": Catalog(
        fails={
            "bug_bp1_sigma_prime_of_a.py": {"Network.backprop": "[BP1] nabla_b[0] (= δ of "
                                            "layer 0, the output layer): sigmoid_prime "
                                            "applied to the activation"},
            "bug_bp2_sigma_prime_of_a.py": {"Network.backprop": "[BP2] nabla_b[0] (= δ of "
                                            "layer 0): sigmoid_prime applied to the "
                                            "activation instead of z"},
            "bug_bp1_no_sigma_prime.py": {"Network.backprop": "[BP1] nabla_b[0] (= δ of layer "
                                          "0, the output layer): BP1 is missing σ'(zᴸ)"},
            "bug_bp2_no_transpose.py": {"Network.backprop": "BP2 uses W instead of its "
                                        "transpose"},
            "bug_nabla_w_transposed.py": {"Network.backprop": "[BP4] nabla_w[1] is "
                                          "transposed"},
            "bug_nabla_b_rank1.py": {"Network.backprop": "has shape (1,), expected (1, 1): a "
                                     "rank-1 array"},
            "bug_sigmoid_prime_wrong_quantity.py": {"sigmoid_prime": "derivative of the wrong "
                                                    "quantity: z(1 − z)"},
            "bug_sigmoid_prime_unstable.py": {"sigmoid_prime": "contains NaN/inf for "
                                              "z = ±800"},
            "bug_sigmoid_unstable.py": {"sigmoid": "sigmoid(z) contains NaN/inf for z = ±800"},
            "bug_cost_derivative_sign.py": {"Network.cost_derivative": "[BP1] cost_derivative("
                                            "output_activations, y) has the wrong sign"},
            "bug_cost_derivative_inplace.py": {"Network.cost_derivative": "modified its input "
                                               "`a` in place"},
            "bug_feedforward_no_bias.py": {"Network.feedforward": "the biases are missing"},
            "bug_update_no_mean.py": {"Network.update_mini_batch": "[update] "
                                      "self.weights[1]: the step is not divided by "
                                      "len(mini_batch)"},
            "bug_update_per_example.py": {"Network.update_mini_batch": "updated inside the "
                                          "loop, after every example"},
            "bug_update_sign.py": {"Network.update_mini_batch": "the gradient was added"},
            "bug_update_divided_twice.py": {"Network.update_mini_batch": "[update] "
                                            "self.weights[1]: the step is divided by "
                                            "len(mini_batch) twice"},
            "hostile_backprop_hang.py": {"Network.backprop": f"[runtime] {TIMED_OUT}"},
            "hostile_memory_hog.py": {"Network.feedforward": "[runtime] MemoryError"},
            "hostile_helper_theft.py": {"Network.backprop": "RuntimeError: no answer found"},
        },
        errors={
            "hostile_exit_at_import.py": "called exit() while loading",
            "hostile_autograd_import.py": "line 5: imports `autograd.numpy`: autograd "
                                          "libraries are not allowed",
        },
        full_marks=["correct.py", "variant_equivalent.py", "variant_xrange.py"],
        helpers=frozenset({"make_variants.py"}),
    ),
    "nielsen2": Catalog(
        fails={
            "bug_ce_delta_sigma_prime.py": {"CrossEntropyCost.delta": "[BP1] CrossEntropyCost."
                                            "delta(z, a, y): multiplied by σ'(z): that is the "
                                            "quadratic cost's δ"},
            "bug_quadratic_delta_no_sigma_prime.py": {"QuadraticCost.delta": "[BP1] "
                                                      "QuadraticCost.delta(z, a, y): σ'(z) is "
                                                      "missing"},
            "bug_backprop_extra_sigma_prime.py": {"Network.backprop": "[BP1] nabla_b[0] (= δ of "
                                                  "layer 0, the output layer): BP1 multiplies "
                                                  "by σ'(zᴸ), the quadratic cost's factor"},
            "bug_no_weight_decay.py": {"Network.update_mini_batch": "[update] self.weights[0]: "
                                       "the L2 weight decay is missing"},
            "hostile_helper_theft.py": {"QuadraticCost.delta": "RuntimeError: no answer found"},
            "bug_decay_without_n.py": {"Network.update_mini_batch": "the weight decay is not "
                                       "divided by n"},
            "bug_decay_on_biases.py": {"Network.update_mini_batch": "[update] self.biases[0]: "
                                       "the weight decay was applied to the biases too"},
            "bug_ce_fn_one_term.py": {"CrossEntropyCost.fn": "[cost] CrossEntropyCost.fn(a, y): "
                                      "only the y·ln(a) term"},
            "bug_total_cost_no_half.py": {"Network.total_cost": "the regularization term has "
                                          "no ½"},
            "bug_init_unscaled.py": {"Network.default_weight_initializer": "[init] "
                                     "self.weights[0] has standard deviation"},
            # chapter 1's network.py with L2 only: its backprop is graded with its own
            # (quadratic) cost; the cross-entropy cost the chapter asks for is missing
            "partial_l2_only.py": {"CrossEntropyCost.fn": "[api] CrossEntropyCost.fn is not "
                                   "defined in the submission",
                                   "CrossEntropyCost.delta": "CrossEntropyCost.delta is not "
                                   "defined"},
        },
        errors={},
        full_marks=["correct.py", "variant_equivalent.py", "variant_no_cost_kwarg.py",
                    "variant_minimal.py", "variant_cost_instances.py",
                    "variant_delta_order.py"],
        not_defined={"variant_minimal.py": {"QuadraticCost.fn", "QuadraticCost.delta",
                                            "Network.default_weight_initializer",
                                            "Network.total_cost", "sigmoid"},
                     "variant_delta_order.py": {"QuadraticCost.fn", "QuadraticCost.delta",
                                                "Network.default_weight_initializer"},
                     "partial_l2_only.py": {"QuadraticCost.fn", "QuadraticCost.delta",
                                            "Network.default_weight_initializer",
                                            "Network.total_cost"}},
        helpers=frozenset({"make_variants.py"}),
        graded_as="nielsen",
    ),
    "cs231n-a3": Catalog(
        # a sequence passes with the grader's steps in place of the student's (the second
        # run): a step's bug is reported at the step only
        fails={
            "bug_rnn_step_tanh_of_input.py": {
                "rnn_step_backward": "diagnosis: tanh's derivative taken as 1 − a² of its "
                                     "input"},
            "bug_rnn_backward_no_carry.py": {"rnn_backward": "diagnosis: the next step's dh "
                                             "not added"},
            "bug_rnn_backward_dh0_zero.py": {"rnn_backward": "diagnosis: dh0 left out (zero): "
                                             "it is the dprev_h of the first step"},
            "bug_rnn_forward_raises.py": {
                "rnn_forward": "[runtime] ValueError: too many values to unpack",
                "rnn_backward": "[backward] blocked by the forward: rnn_forward raised "
                                "ValueError"},
            "bug_word_embedding_lost_repeats.py": {"word_embedding_backward": "repeated word "
                                                   "indices lose gradients"},
            "bug_temporal_affine_db_axis0.py": {"temporal_affine_backward": "[backward] db: "
                                                "shape ("},
            "bug_softmax_unmasked_dx.py": {"temporal_softmax_loss": "diagnosis: the mask left "
                                           "out of dx"},
            "bug_softmax_mean_over_nt.py": {"temporal_softmax_loss": "diagnosis: divided by "
                                            "N·T"},
            "bug_lstm_gates_swapped.py": {
                "lstm_step_backward": "the gate gradients concatenated as i, f, g, o"},
            "bug_lstm_no_h_into_c.py": {"lstm_step_backward": "dnext_h's path into the cell "
                                        "left out"},
            # every c of the student's cache is off (c0 = h0): no correct cache can be
            # rebuilt in its layout, so the backward is blocked, not failed as its own error
            "bug_lstm_c0_from_h0.py": {
                "lstm_forward": "[forward] h[",
                "lstm_backward": "blocked by the forward: lstm_forward's output is wrong and "
                                 "its cache cannot be rebuilt"},
            "stub_lstm.py": {f"lstm{k}": f"[api] lstm{k} is a stub (not implemented yet"
                             for k in ("_step_forward", "_step_backward", "_forward",
                                       "_backward")},
            "hostile_backward_hang.py": {"rnn_step_backward": f"[runtime] {TIMED_OUT}",
                                         "rnn_backward": TIMED_OUT},
            "hostile_segfault.py": {"temporal_softmax_loss": "[runtime] the process crashed "
                                    "with SIGSEGV"},
            # the backward runs the student's forward for its cache: it exits there too
            "hostile_os_exit.py": {"word_embedding_forward": "[runtime] the process exited "
                                   "with code 0", "word_embedding_backward": "exited with "
                                   "code 0"},
            # the channel answers rnn_step_backward only while rnn_backward is graded
            "hostile_helper_theft.py": {"rnn_step_backward": "[backward] the backward raised "
                                        "RuntimeError: no answer found"},
            "hostile_huge_return.py": {"temporal_affine_forward": "[runtime] MemoryError",
                                       "temporal_affine_backward": "[runtime] MemoryError"},
            # the sequence's run as written calls the student's step, which allocates 32 GB
            "hostile_memory_hog.py": {"lstm_step_backward": "[runtime] MemoryError",
                                      "lstm_backward": "[runtime] MemoryError"},
            # the backward runs the student's (patching) forward too, and is right
            "hostile_monkeypatch_numpy.py": {"word_embedding_forward": "[forward] out["},
            "hostile_forged_results.py": {"lstm_backward": "[runtime] the process returned "
                                          "unreadable results"},
        },
        errors={"hostile_torch_import.py": "imports `torch`: autograd libraries are not "
                                           "allowed",
                "hostile_exit_at_import.py": "called exit() while loading",
                "hostile_load_hang.py": f"{TIMED_OUT} while loading the submission",
                "hostile_grader_import.py": "imports `manual.layers.recurrent`, the grader's "
                                            "own package"},
        # variant_old_numpy: np.stack of a generator, itemset, newshape=, np.float as they ran
        full_marks=["correct.py", "variant_in_place.py", "variant_dict_cache.py",
                    "variant_inline_bptt.py", "hostile_huge_output.py", "variant_old_numpy.py"],
        helpers=frozenset({"make_variants.py"}),
    ),
    "cs231n-a2": Catalog(
        # spatial batch norm calls the student's own batchnorm: a batchnorm bug shows in both
        fails={
            "bug_affine_dx_not_reshaped.py": {"affine_backward": "diagnosis: dx left as (N, "
                                              "D)"},
            "bug_relu_no_mask.py": {"relu_backward": "the mask [x > 0] is missing"},
            "bug_softmax_no_mean.py": {"softmax_loss": "diagnosis: dx without the 1/N of the "
                                       "mean over the batch"},
            "bug_svm_counts_correct_class.py": {"svm_loss": "diagnosis: the correct class's "
                                                "own margin counted"},
            "bug_batchnorm_momentum_swapped.py": {
                "batchnorm_forward": "diagnosis: running averages with the momentum swapped",
                "spatial_batchnorm_forward": "running averages with the momentum swapped"},
            "bug_batchnorm_test_batch_stats.py": {
                "batchnorm_forward": "diagnosis: test mode normalized with the batch statistics",
                "spatial_batchnorm_forward": "test mode normalized with the batch statistics"},
            "bug_batchnorm_alt_no_mean_terms.py": {
                "batchnorm_backward_alt": "dx without the terms through the batch mean and "
                                          "variance",
                "spatial_batchnorm_backward": "dx without the terms through the batch mean"},
            "bug_layernorm_dbeta_averaged.py": {"layernorm_backward": "diagnosis: dbeta "
                                                "averaged over the batch"},
            # the bug is the forward's mask: the backward applies the mask it was given
            # (dx = dout ⊙ mask, the gradient of that forward), right as a TA reads it
            "bug_dropout_drop_probability.py": {
                "dropout_forward": "p is the probability of keeping a unit (CS231n since 2018)"},
            "bug_dropout_backward_no_scale.py": {"dropout_backward": "dropout backward without "
                                                 "the 1/p"},
            "bug_conv_pad_ignored_in_dx.py": {"conv_backward_naive": "[backward] dx"},
            "bug_conv_stride_ignored.py": {"conv_backward_naive": "the stride ignored in the "
                                           "backward"},
            "bug_maxpool_square_window.py": {"max_pool_forward_naive": "[forward] out"},
            "bug_spatial_batchnorm_unmoved_reshape.py": {
                "spatial_batchnorm_forward": "without moving the channel axis last first",
                # its backward is right, but the cache holds batch norm's intermediates of
                # the scrambled rows: none can be told, so the forward blocks it
                "spatial_batchnorm_backward": "blocked by the forward: spatial_batchnorm_forward"
                                              "'s output is wrong"},
            "hostile_backward_hang.py": {"conv_backward_naive": f"[runtime] {TIMED_OUT}"},
            # the net's loop calls a layer the parent answers in its second run: still killed
            "hostile_net_hang.py": {"FullyConnectedNet.loss": f"[runtime] {TIMED_OUT}"},
            "hostile_segfault.py": {"svm_loss": "[runtime] the process crashed with SIGSEGV"},
            # the nets call relu_forward too (as written: the layers' own run exits first)
            "hostile_os_exit.py": {"relu_forward": "[runtime] the process exited with code 0",
                                   "relu_backward": "exited with code 0",
                                   "FullyConnectedNet.loss": "exited with code 0",
                                   "TwoLayerNet.loss": "exited with code 0"},
            # the nets (fc_net.py): each layer is right, the net's own code is not
            "bug_net_l2_skips_last_layer.py": {"FullyConnectedNet.loss": "[loss] the loss: the "
                                               "last layer's weights W2 left out of the L2 "
                                               "term"},
            "bug_net_l2_on_every_param.py": {"FullyConnectedNet.loss": "the biases (and "
                                              "gamma, beta) regularized too"},
            "bug_net_l2_no_half.py": {"FullyConnectedNet.loss": "[loss] the loss: the L2 term "
                                      "without its factor 0.5"},
            "bug_net_reg_gradient_missing.py": {"FullyConnectedNet.loss": "[backward] "
                                                "grads['W1']: the L2 regularization left out"},
            "bug_net_dropout_after_last_layer.py": {"FullyConnectedNet.loss": "dropout applied "
                                                    "to the scores too"},
            "bug_net_norm_params_not_in_grads.py": {"FullyConnectedNet.loss": "grads lacks "
                                                    "gamma1, beta1"},
            "bug_net_layernorm_uses_batchnorm.py": {"FullyConnectedNet.loss": "layer norm "
                                                    "computed as batch norm"},
            "bug_two_layer_reg_gradient_missing.py": {"TwoLayerNet.loss": "grads['W1']: the L2 "
                                                      "regularization left out"},
            # searches every frame, module and closure it can reach (gc.get_objects is
            # refused) for the answer: none is in its process, so it computes nothing right
            # spatial group norm (optional: the notebooks from 2019 on)
            "bug_groupnorm_per_channel.py": {
                "spatial_groupnorm_forward": "the statistics per channel (instance norm)",
                "spatial_groupnorm_backward": "blocked by the forward"},
            "hostile_reads_grader_memory.py": {"batchnorm_backward": "[backward] d",
                                               "adam": "step 1: the step next_w − w is wrong"},
            # optim.py (cs231n_optim): judged step by step from the config the student stored
            "bug_momentum_exponential_average.py": {"sgd_momentum": "step 1: the step next_w "
                                                    "− w: the velocity is an exponential "
                                                    "average"},
            "bug_momentum_velocity_not_stored.py": {"sgd_momentum": "config is missing the "
                                                    "key(s) velocity"},
            "bug_rmsprop_eps_inside_sqrt.py": {"rmsprop": "ε inside the square root"},
            "bug_adam_no_bias_correction.py": {"adam": "no bias correction"},
            "bug_adam_t_after_use.py": {"adam": "(increment t before the bias correction)"},
            "stub_sgd_momentum.py": {"sgd_momentum": "sgd_momentum is a stub (not implemented "
                                     "yet: next_w is None)"},
            # NumPy 2 refuses np.asfarray: the code's age, said so, not wrong math
            "old_code_asfarray.py": {
                "affine_forward": "[runtime] old code: np.asfarray removed in NumPy 2.0",
                "affine_backward": "old code: np.asfarray removed in NumPy 2.0"},
            # a wrong forward's backwards run on a cache rebuilt in its layout with the
            # correct values: right ones pass (not listed), a wrong one keeps its diagnosis
            "bug_batchnorm_forward_beta_subtracted.py": {
                "batchnorm_forward": "[forward] out[",
                "spatial_batchnorm_forward": "[forward] out["},
            "bug_batchnorm_std_without_eps.py": {
                "batchnorm_forward": "[forward] out[",
                "spatial_batchnorm_forward": "[forward] out["},
            "bug_layernorm_forward_and_backward.py": {
                "layernorm_forward": "[forward] out[",
                "layernorm_backward": "diagnosis: dbeta averaged over the batch (it is the sum "
                                      "Σ dout) (the forward layernorm_forward is wrong too"},
        },
        errors={"hostile_torch_import.py": "imports `torch`: autograd libraries are not "
                                           "allowed"},
        # the 2017 skeleton's dropout (p drops a unit, its docstring says so) as it ran then;
        # the nets of 2016-17 (use_batchnorm=, dropout= drops, the skeleton's own
        # `bn_param[mode] = mode`) and 2018-19 (dropout= keeps) beside correct.py's 2020 one;
        # torch's momentum buffer, Adam's lr_t form and the 2016 skeleton's t from 1 (notes);
        # np.float, newshape=, np.vstack of a generator, itemset, np.NaN as NumPy 1 ran them;
        # CS231n 2016's Python 2.7 (print statement, xrange, the output size's int `/`);
        # the 2019 layers.py's keepdims sums (the record's "keepdims"); x written in place
        full_marks=["correct.py", "variant_in_place.py", "variant_dropout_2017.py",
                    "variant_net_2017.py", "variant_net_2018.py",
                    "variant_optim_torch_conventions.py", "variant_adam_2016.py",
                    "variant_old_numpy.py", "variant_python2.py",
                    "variant_keepdims_2019.py", "variant_forward_in_place.py",
                    "variant_no_groupnorm.py"],
        # a year without spatial group norm: its functions are the optional ones left out
        not_defined={"variant_no_groupnorm.py": {"spatial_groupnorm_forward",
                                                 "spatial_groupnorm_backward"}},
        helpers=frozenset({"make_variants.py"}),
    ),
    "ng-c4w1": Catalog(
        # the course leaves conv_backward ungraded: here it runs on the student's own cache
        fails={
            "bug_dA_prev_not_cropped.py": {"conv_backward": "diagnosis: dx cropped at the "
                                           "top-left corner"},
            "bug_backward_stride_ignored.py": {"conv_backward": "diagnosis: the stride ignored "
                                               "in the backward"},
            "bug_db_not_summed.py": {"conv_backward": "[backward] db["},
            "bug_distribute_no_average.py": {"distribute_value": "dz copied to every "
                                             "position, not divided by n_H·n_W"},
            # pool_backward calls the wrong distribute_value above, yet passes: it is graded
            # with the grader's too, so the bug is reported at the helper only
            "bug_pool_average_not_divided.py": {"pool_backward": "the average's "
                                                "1/(pool_height·pool_width) missing"},
            "stub_backward.py": {"conv_backward": "[api] conv_backward is a stub (not "
                                 "implemented yet"},
        },
        errors={"hostile_torch_import.py": "imports `torch`: autograd libraries are not "
                                           "allowed"},
        # the first maximum only (tied windows are not drawn, either is right) and float(b)
        # of b (1, 1, 1), as NumPy 1 ran it
        full_marks=["correct.py", "variant_first_maximum_float_b.py",
                    "variant_old_numpy.py"],       # np.int, newshape=, np.vstack(generator)
    ),
    "ng-c2w2": Catalog(
        # the update rules run a few steps from the student's own returned state
        fails={
            "bug_adam_no_bias_correction.py": {"update_parameters_with_adam": "no bias "
                                               "correction"},
            "bug_adam_t_not_used.py": {"update_parameters_with_adam": "step 2 (t = 2): the step "
                                       "of parameters['W1']: the bias correction ignores t "
                                       "(1 − β, as at t = 1; or the layer number l = 1"},
            "bug_adam_eps_inside_sqrt.py": {"update_parameters_with_adam": "ε inside the "
                                            "square root"},
            "bug_momentum_velocity_not_stored.py": {"update_parameters_with_momentum": "the "
                                                    "new v is not stored in v"},
            "bug_minibatch_last_dropped.py": {"random_mini_batches": "the last, smaller "
                                              "mini-batch"},
            "bug_minibatch_shuffled_differently.py": {"random_mini_batches": "X and Y are "
                                                      "shuffled with different permutations"},
            "stub_adam.py": {"update_parameters_with_adam": "update_parameters_with_adam is a "
                             "stub (not implemented yet"},
            "stub_mini_batches.py": {"random_mini_batches": "random_mini_batches is a stub"},
            # a shuffle that is no function of its seed: every epoch the same mini-batches
            "hostile_minibatch_fixed_order.py": {"random_mini_batches": "the shuffle ignores "
                                                 "its seed"},
            "hostile_minibatch_seed_ignored.py": {"random_mini_batches": "the shuffle ignores "
                                                  "its seed"},
        },
        errors={"hostile_torch_import.py": "imports `torch`: autograd libraries are not "
                                           "allowed"},
        # the older notebook (three values, no decay), in place and another shuffle, the .ipynb
        full_marks=["correct.py", "variant_adam_three_values.py", "variant_in_place.py",
                    "variant_notebook.ipynb"],
        not_defined={"variant_adam_three_values.py": {"update_lr", "schedule_lr_decay"}},
        helpers=frozenset({"make_variants.py"}),
    ),
    "ng-c2w1": Catalog(
        # three notebooks in one style: a checker fails when it misses a planted wrong
        # gradient or flags the right one, whatever number it prints
        fails={
            "bug_he_xavier.py": {"initialize_parameters_he": "Xavier's √(1/n_{l-1})"},
            "bug_he_this_layer.py": {"initialize_parameters_he": "√(2/n_l) of this layer's"},
            "bug_he_two_over_sqrt.py": {"initialize_parameters_he": "2/√n_{l-1}: the square "
                                        "root covers the 2 too"},
            "bug_random_unscaled.py": {"initialize_parameters_random": "np.random.randn "
                                       "unscaled: the notebook multiplies it by 10"},
            "bug_zeros_int.py": {"initialize_parameters_zeros": "has dtype int64"},
            "bug_cost_lambd_over_m.py": {"compute_cost_with_regularization": "[cost] cost: "
                                         "the L2 term is λ/m Σ‖W‖²: its ½ is missing"},
            "bug_cost_last_layer.py": {"compute_cost_with_regularization": "W3 is left out"},
            "bug_reg_backward_half.py": {"backward_propagation_with_regularization": "[BP4] "
                                         "gradients['dW3']: the L2 term is (λ/2m)·W"},
            "bug_reg_backward_last_layer.py": {"backward_propagation_with_regularization":
                                               "the L2 term (λ/m)·W is missing for the last"},
            "bug_dropout_not_rescaled.py": {"forward_propagation_with_dropout": "cache's A1: "
                                            "not divided by keep_prob"},
            "bug_dropout_mask_inverted.py": {"forward_propagation_with_dropout": "kept with "
                                             "probability 1 − keep_prob"},
            # pooled with D1's 2,000 draws the slip moves the share by 5 standard errors only
            "bug_dropout_second_mask_inverted.py": {"forward_propagation_with_dropout": "D2 "
                                                    "keeps 0.263 of the units, expected "
                                                    "keep_prob = 0.7: kept with probability "
                                                    "1 − keep_prob"},
            "bug_dropout_output_layer.py": {"forward_propagation_with_dropout": "dropout "
                                            "applied to the output layer"},
            "bug_dropout_backward_no_scale.py": {"backward_propagation_with_dropout": "not "
                                                 "divided by keep_prob"},
            "bug_backward_theta.py": {"backward_propagation": "dJ/dθ of J = θx is x, not θ"},
            "bug_gradcheck_not_copied.py": {"gradient_check_n": "on a right gradient (below "
                                            "2e-07 expected); gradapprox is off by a factor "
                                            "of 2"},
            "bug_gradcheck_half_epsilon.py": {"gradient_check": "off by a factor of 2"},
            "bug_gradcheck_precedence.py": {"gradient_check_n": "/ 2 * epsilon` multiplies "
                                            "by ε"},
            "bug_gradcheck_norm_difference.py": {"gradient_check_n": "did not detect a wrong "
                                                 "gradient (one entry's sign flipped"},
            "stub_regularization.py": {"compute_cost_with_regularization": "[api] "
                                       "compute_cost_with_regularization is a stub"},
            "hostile_backward_hang.py": {"backward_propagation_with_dropout": TIMED_OUT},
            "hostile_os_exit.py": {"initialize_parameters_he": "exited with code 0"},
            # the channel answers the 1-D functions only while gradient_check is graded
            "hostile_helper_theft.py": {"gradient_check_n": "RuntimeError: no answer found"},
            # a notebook not handed in is missing, never full credit for work not handed in
            # (an instructor grading one notebook per assignment names its --functions)
            "partial_initialization.py": _absent(NG_C2W1_PARTS, 1, 2),
            "notebook_initialization.ipynb": _absent(NG_C2W1_PARTS, 1, 2),
            "notebook_regularization.ipynb": _absent(NG_C2W1_PARTS, 0, 2),
            "notebook_gradient_checking.ipynb": _absent(NG_C2W1_PARTS, 0, 1),
            # a checker sees one gradient per case, right or planted in an order drawn from
            # the seed, and nothing in its process says which (the 1-D backward is answered
            # by the parent from an opaque token): only a real check passes
            "hostile_checker_reads_frame.py": {"gradient_check": "[gradcheck]",
                                               "gradient_check_n": "[gradcheck]"},
            "hostile_checker_first_call.py": {"gradient_check": "[gradcheck]",
                                              "gradient_check_n": "[gradcheck]"},
            "hostile_checker_reads_plant.py": {"gradient_check": "[gradcheck] reported a "
                                               "difference of 1 on a right gradient"},
            # its cached masks are not the ones it applied: judged by the A3 they give
            "hostile_dropout_masks_not_applied.py": {"forward_propagation_with_dropout":
                                                     "is wrong at index"},
            # the statistics are judged on the large layers only: the small ones must be finite
            "hostile_init_small_layers_nan.py": {"initialize_parameters_he": "contains NaN or "
                                                 "inf"},
            "hostile_init_small_layers_unscaled.py": {"initialize_parameters_he": "the small "
                                                      "layers' weights"},
            "hostile_wide_cache.py": {"forward_propagation_with_dropout": "got 64 items, and "
                                                              "no 0/1 masks"},
        },
        errors={"hostile_torch_import.py": "imports `torch`: autograd libraries are not "
                                           "allowed"},
        full_marks=["correct.py", "variant_in_place.py", "variant_older.py",
                    "variant_own_cache.py", "variant_module_calls.py"],
        helpers=frozenset({"make_variants.py"}),
    ),
    "ng-c5w1": Catalog(
        # the course leaves the backward section ungraded: here each backward runs on the
        # student's own cache and on the course's; a sequence also with the grader's cells,
        # so a cell's bug (or a forward's) is reported there only
        fails={
            "bug_rnn_tanh_one_minus_a.py": {"rnn_cell_backward": "diagnosis: tanh's derivative "
                                            "taken as 1 − a_next, not 1 − a_next²"},
            "bug_rnn_backward_no_carry.py": {"rnn_backward": "diagnosis: da_prevt not added"},
            "bug_lstm_backward_no_carry.py": {"lstm_backward": "diagnosis: da_prevt not "
                                              "added"},
            "bug_lstm_dc_prev_no_ft.py": {"lstm_cell_backward": "diagnosis: dc_prev without "
                                          "the forget gate"},
            "bug_rnn_db_not_summed.py": {"rnn_cell_backward": "[backward] dba: shape ("},
            # the backward reads the course's order: right on the course's forward's cache
            "bug_lstm_concat_order.py": {"lstm_cell_forward": "diagnosis: concat taken as "
                                         "[xt; a_prev]"},
            # the backward is graded on the course's forward's cache, the sequence with the
            # grader's cell: only the missing forward is missing
            "bug_forward_misspelled.py": {"rnn_cell_forward": "rnn_cell_forward is not "
                                          "defined in the submission (did you mean "
                                          "`rnn_cell_fowrad`?)"},
            "stub_backward.py": {f"{k}_cell_backward": f"[api] {k}_cell_backward is a stub "
                                 "(not implemented yet" for k in ("rnn", "lstm")},
            # the course's skeleton of a sequence raises TypeError: a stub, not a crash
            "stub_sequences.py": {k: f"[api] {k} is a stub (not implemented yet: its `= None` "
                                  "placeholders are still in place" for k in (
                                      "rnn_forward", "rnn_backward")},
            "hostile_os_exit.py": {"rnn_backward": "[runtime] the process exited with code 0"},
            # the sequence's run as written calls the student's hanging cell too
            "hostile_backward_hang.py": {"lstm_cell_backward": f"[runtime] {TIMED_OUT}",
                                         "lstm_backward": TIMED_OUT},
            # the channel answers rnn_cell_backward only while rnn_backward is graded
            "hostile_helper_theft.py": {"rnn_cell_backward": "[backward] the backward raised "
                                        "RuntimeError: no answer found"},
            # searches every frame, module and closure it can reach for the answer: none there
            "hostile_reads_grader_memory.py": {"rnn_cell_backward": "] dxt["},
        },
        errors={"hostile_torch_import.py": "imports `torch`: autograd libraries are not "
                                           "allowed"},
        # db as a vector (a note), the update gate named u (2018), caches in other orders and
        # a dict, the upstream gradient written in place, the notebook with a function
        # redefined (the last cell wins)
        full_marks=["correct.py", "variant_keepdims.py", "variant_cache_orders.py",
                    "variant_in_place.py", "variant_notebook.ipynb",
                    "variant_update_gate_u.py"],
        helpers=frozenset({"make_variants.py"}),
    ),
    "saito-ch7": Catalog(
        # a util bug fails the util and the layers calling it as written only where the
        # grader's im2col/col2im cannot stand in: col2im's overwrite shows at col2im alone
        fails={
            "bug_im2col_axis_order.py": {
                "im2col": "the window's entries in (kernel row, kernel column, channel) order"},
            "bug_col2im_overwrite.py": {"col2im": "the windows overwrite each other"},
            "bug_pool_backward_wrong_window.py": {"Pooling.backward": "[backward] dx["},
            "bug_conv_db_not_summed.py": {"Convolution.backward": "[backward] db: shape"},
            "bug_conv_dW_not_transposed.py": {"Convolution.backward": "diagnosis: dw reshaped "
                                              "to (F, C, HH, WW) from the (C·HH·WW, F)"},
            # the backward is right: graded on the state the book's forward sets
            "bug_conv_forward_pad_ignored.py": {"Convolution.forward": "[runtime] ValueError"},
            "bug_convnet_no_reverse.py": {"SimpleConvNet.gradient": "[runtime]"},
            "hostile_backward_hang.py": {"Convolution.backward": f"[runtime] {TIMED_OUT}",
                                         "SimpleConvNet.gradient": f"[runtime] {TIMED_OUT}"},
            # im2col exits the process: everything running it as written fails there
            "hostile_os_exit.py": {name: "[runtime] the process exited with code 0" for name in (
                "im2col", "Convolution.forward", "Convolution.backward", "Pooling.forward",
                "Pooling.backward", "SimpleConvNet.gradient")},
        },
        errors={"hostile_torch_import.py": "imports `torch`: autograd libraries are not "
                                           "allowed"},
        full_marks=["correct.py", "variant_lower_case.py", "variant_shift_jis.py",
                    "variant_old_numpy.py", "variant_python2.py", "variant_inplace_dout.py"],
        helpers=frozenset({"make_variants.py"}),
    ),
    "saito-ch6": Catalog(
        fails={
            "bug_bn_backward_no_mean_terms.py": {
                "BatchNormalization.backward": "dx without the terms through the batch mean "
                                               "and variance"},
            "bug_bn_dgamma_not_summed.py": {"BatchNormalization.backward": "[backward] dgamma: "
                                                                           "shape"},
            "bug_bn_momentum_swapped.py": {
                "BatchNormalization.forward": "running averages with the momentum swapped"},
            "bug_bn_test_batch_stats.py": {
                "BatchNormalization.forward": "test mode normalized with the batch statistics"},
            # issue 18: a backward whose forward is misspelled is graded on the book's state
            "bug_bn_forward_misspelled.py": {"BatchNormalization.forward": "is not defined"},
            "bug_dropout_backward_no_mask.py": {"Dropout.backward": "dx = dout: the gradient of "
                                                                    "a dropped unit is 0"},
            "bug_dropout_test_unscaled.py": {"Dropout.forward": "test mode returns x unscaled"},
            # any random mask passes, one keeping the wrong fraction does not
            "bug_dropout_mask_reversed.py": {"Dropout.forward": "the comparison is reversed"},
            "stub_dropout_backward.py": {"Dropout.backward": "[api] Dropout.backward is a stub"},
            "hostile_backward_hang.py": {"BatchNormalization.backward":
                                         f"[runtime] {TIMED_OUT}"},
            "hostile_segfault.py": {"Dropout.forward": "[runtime] the process crashed with "
                                                       "SIGSEGV",
                                    "Dropout.backward": "SIGSEGV"},
        },
        errors={"hostile_torch_import.py": "imports `torch`: autograd libraries are not "
                                           "allowed"},
        # inverted dropout is the book's rescaled in both modes; ε as the student wrote it
        full_marks=["correct.py", "variant_inverted_dropout.py", "variant_eps_1e7.py",
                    "variant_eps_attribute.py", "variant_names_as_typed.py",
                    "variant_bn_2d_only.py",
                    "variant_shift_jis.py", "variant_python2.py"],
        helpers=frozenset({"make_variants.py"}),
    ),
}
