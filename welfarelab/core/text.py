"""Text folding for accent- and case-insensitive matching (`forli` finds Forlì)."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case `text`, strip accents and collapse punctuation to single spaces.

    >>> fold("Forlì-Cesena")
    'forli cesena'
    >>> fold("  Agliè ")
    'aglie'
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", ascii_only).strip()
