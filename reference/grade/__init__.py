"""Grade student backprop implementations (ng, saito, nielsen styles) in a sandbox.

    backprop-oracle grade student.ipynb --style ng [--format json --output results.json]
    backprop-oracle grade submissions/ --style ng --jobs 2      # + summary.csv
    backprop-oracle gradescope-bundle --style ng --output autograder.zip
    pytest --oracle-submission student.py --oracle-style ng -n auto --junitxml r.xml

Parent side (`runner`): cases from the oracle (`styles`), checks and diagnoses
(`diagnose`), reports (`report`) written by `outfile` (a checked folder, a new
file renamed over the name: never through a link). Child side (`worker`, started by `sandbox`):
loads the kept statements of the submission (`loader`, `policy`) and runs the
NumPy-only probes (`probes`); values travel as JSON + raw array bytes (`codec`).
In a student's folder, `pick` finds the submission among helper files.
Importing this package imports neither torch nor the oracle.

Known limits of the sandbox: without root there is no user switch, so the
student process runs as the grader's user and could signal the grader's other
processes, and a grandchild that calls setsid() leaves the process group and
survives the group kill (RLIMIT_CPU still bounds a busy one); as root both are
closed (a uid per worker, swept after the run), so run the grader as root, or
in a container as Gradescope does, for untrusted code; a
student process that inspects its own memory (gc, frames) can find the
grader's correct helper functions (never the oracle's answers).
"""
