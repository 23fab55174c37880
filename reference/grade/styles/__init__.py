"""Style registry: name -> Style, imported lazily (each style module defines STYLE).

A style may hand a submission to a related one it recognizes: `nielsen` grades
network.py (chapters 1-2), and a submission with chapter 3's cost classes,
`cost=` or `lmbda` is graded as `nielsen2` (network2.py) instead, with a note.
"""

from __future__ import annotations

import importlib

from manual.errors import InputError

from ..base import Style

__all__ = ["STYLES", "get_style", "resolve_style", "function_names"]

STYLES = {
    "ng": "reference.grade.styles.ng",
    "saito": "reference.grade.styles.saito",
    "nielsen": "reference.grade.styles.nielsen",
    "nielsen2": "reference.grade.styles.nielsen2",
    "cs231n-a2": "reference.grade.styles.cs231n_a2",
    "cs231n-a3": "reference.grade.styles.cs231n_a3",
    "ng-c4w1": "reference.grade.styles.ng_c4w1",
    "saito-ch6": "reference.grade.styles.saito_ch6",
    "saito-ch7": "reference.grade.styles.saito_ch7",
}

# style -> the styles it may hand a submission to (`resolve_style`)
VARIANTS = {"nielsen": ("nielsen2",)}
# style -> the styles grading other chapters of the same book: a file holding what one of
# them grades (a reader's common/layers.py has chapters 5 to 7) says so in a note
RELATED = {"saito": ("saito-ch6", "saito-ch7"), "saito-ch6": ("saito", "saito-ch7"),
           "saito-ch7": ("saito", "saito-ch6")}


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
    return style, related_note(style, loaded)


def related_note(style: Style, loaded) -> str | None:
    """What the graded file also holds that a related style grades (`RELATED`), by name:
    graded only when that style is named, each style grading the same code alike."""
    defines = getattr(loaded, "defines", None) or {}
    found = [f"{other} ({', '.join(names)})" for other in RELATED.get(style.name, ())
             if (names := [n for n in function_names(other) if n in defines])]
    if not found:
        return None
    return ("this file also holds what another style grades, not graded here: "
            + "; ".join(found) + " (name that style with --style to grade them)")


def function_names(name: str) -> list[str]:
    """Every graded function of a style and of the styles it may hand submissions to, in
    order (the columns of a batch's summary.csv)."""
    names: list[str] = []
    for style in (name, *VARIANTS.get(name, ())):
        names += [f.name for f in get_style(style).functions if f.name not in names]
    return names
