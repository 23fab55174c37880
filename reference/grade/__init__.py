"""Grade student backprop implementations (ng, saito, nielsen styles) in a sandbox.

    backprop-oracle grade student.ipynb --style ng [--format json --output results.json]
    backprop-oracle grade submissions/ --style ng --jobs 2      # + summary.csv
    backprop-oracle gradescope-bundle --style ng --output autograder.zip
    pytest --oracle-submission student.py --oracle-style ng -n auto --junitxml r.xml

Parent side (`runner`, which reads the one `options.GradeOptions` it is given):
cases from the oracle (`styles`, `cases`), the student processes run (`orchestrate`)
and their answers read (`interpret`) into `results`, judges and diagnoses
(`reference.oracle.diagnose`, shared with `check`), the correct NumPy helpers
(`kit`), reports (`report`) written by `outfile` (a checked folder, a new file
renamed over the name: never through a link). Child side (`worker`, started by
`sandbox`): a zygote that forks one process per graded function; it loads the kept
statements of the submission (`loader`, `policy`) and runs the NumPy-only probes
(`probes`), whose helpers are proxies answered by the parent; values travel as JSON
+ raw array bytes (`codec`). The student's process never holds the oracle's answers,
the correct helpers, another function's cases or input keys its function is not
given. In a student's folder, `pick` finds the submission among helper files.
Importing this package imports neither torch nor the oracle.

Known limits of the sandbox: as root on Linux the student's code runs under a
user of its own per function, without network, with private temporary folders
and a /proc showing only its own processes, with the grader's and the
autograd packages and the submissions unreadable, in one cgroup per
submission (`isolation`; every report lists the protections that were on).
Without root (or in a container that refuses namespaces and cgroups) only the
per-process parts remain: the student's process runs as the grader's user, so
it could signal or trace the grader's other processes, read the grader's
files and the command line (the import guard refuses opening the grader's
and the autograd packages' files, but it is a hook in the student's own
process: ctypes can undo it), reach the network and leave files behind; a
grandchild that calls setsid() survives the group kill (RLIMIT_CPU still
bounds a busy one), and the memory limit is per process.
"""
