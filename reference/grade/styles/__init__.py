"""Style registry: name -> Style, imported lazily (each style module defines STYLE).

A style may hand a submission to a related one it recognizes: `nielsen` grades
network.py (chapters 1-2), and a submission with chapter 3's cost classes,
`cost=` or `lmbda` is graded as `nielsen2` (network2.py) instead, with a note.
"""

from __future__ import annotations

import importlib

from manual.errors import InputError

from ..base import Style

__all__ = ["STYLES", "get_style", "resolve_style", "function_names", "also_holds"]

STYLES = {
    "ng": "reference.grade.styles.ng",
    "saito": "reference.grade.styles.saito",
    "nielsen": "reference.grade.styles.nielsen",
    "nielsen2": "reference.grade.styles.nielsen2",
    "cs231n-a2": "reference.grade.styles.cs231n_a2",
    "cs231n-a3": "reference.grade.styles.cs231n_a3",
    "ng-c2w1": "reference.grade.styles.ng_c2w1",
    "ng-c2w2": "reference.grade.styles.ng_c2w2",
    "ng-c4w1": "reference.grade.styles.ng_c4w1",
    "ng-c5w1": "reference.grade.styles.ng_c5w1",
    "saito-ch6": "reference.grade.styles.saito_ch6",
    "saito-ch7": "reference.grade.styles.saito_ch7",
}

# style -> the styles it may hand a submission to (`resolve_style`)
VARIANTS = {"nielsen": ("nielsen2",)}
def get_style(name: str) -> Style:
    """The Style called `name`; InputError when unknown or not available yet."""
    if name not in STYLES:
        raise InputError(f"unknown style {name!r} (known: {', '.join(STYLES)})")
    try:
        module = importlib.import_module(STYLES[name])
    except ModuleNotFoundError as exc:
        if exc.name != STYLES[name]:
            raise
        raise InputError(f"style {name!r} is not available in this installation") from None
    return module.STYLE


def resolve_style(style: Style, loaded) -> tuple[Style, str | None]:
    """The style a loaded submission is graded with, and a note when it is not `style`
    (a chapter 3 network2.py handed in under `nielsen`)."""
    for name in VARIANTS.get(style.name, ()):
        module = importlib.import_module(STYLES[name])
        why = module.recognize(loaded)
        if why:
            return module.STYLE, f"graded as {module.TITLE} (style {name}): {why}"
    return style, None


def function_names(name: str) -> list[str]:
    """Every graded function of a style and of the styles it may hand submissions to, in
    order (the columns of a batch's summary.csv)."""
    names: list[str] = []
    for style in (name, *VARIANTS.get(name, ())):
        names += [f.name for f in get_style(style).functions if f.name not in names]
    return names


def _graded_tops(name: str) -> set[str]:
    """The top-level names a style grades (`Convolution` for Convolution.backward)."""
    return {f.name.split(".")[0] for f in get_style(name).functions}


def also_holds(style: Style, defined: set[str]) -> list[str]:
    """Notes for the report: the other styles whose graded names the submission also
    defines (a reader's common/layers.py holds chapters 5 to 7; a CS231n package holds
    both assignments' files). A style is named when the submission defines at least
    two of its graded names, and a quarter of them, that `style` does not grade (Saito's
    chapter 6 in a common/layers.py: its two layers of the eight names with the
    optimizers); the file is graded alike whichever style is named."""
    own = set().union(*(_graded_tops(s) for s in (style.name, *VARIANTS.get(style.name, ()))))
    notes = []
    for name in STYLES:
        if name == style.name or name in VARIANTS.get(style.name, ()):
            continue
        theirs = _graded_tops(name) - own
        found = sorted(theirs & defined, key=lambda n: (n[:1].isupper(), n))  # classes last
        if len(found) >= 2 and 4 * len(found) >= len(theirs):
            shown = ", ".join(found[:6]) + (", ..." if len(found) > 6 else "")
            notes.append(f"this submission also holds what style {name} grades ({shown}): "
                         f"grade it with --style {name} for those")
    return notes
