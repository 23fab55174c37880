"""Style registry: name -> Style, imported lazily (each style module defines STYLE)."""

from __future__ import annotations

import importlib

from manual.errors import InputError

from ..base import Style

STYLES = {
    "ng": "reference.grade.styles.ng",
    "saito": "reference.grade.styles.saito",
    "nielsen": "reference.grade.styles.nielsen",
}


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
