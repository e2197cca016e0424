"""Subscriber data made safe to show or hand on: one helper for the terminal, one for
spreadsheets.

Names and addresses come from CSV files and the command line, so they may carry terminal
escape sequences (which can rewrite what the screen shows) or spreadsheet formulas (which a
spreadsheet runs when the exported file is opened).
"""

from __future__ import annotations

import re
import unicodedata

_ESCAPE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-_])")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def control_characters(text: str) -> list[str]:
    """The control characters in ``text`` (line breaks, tabs, escapes and the like), as U+XXXX."""
    return [f"U+{ord(c):04X}" for c in text if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]


def for_terminal(text: str) -> str:
    """``text`` with terminal escape sequences and every other control character removed."""
    text = _ESCAPE.sub("", text)
    return "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp"))


def for_spreadsheet(cell: str) -> str:
    """``cell`` that a spreadsheet shows as text rather than runs as a formula (OWASP: a cell
    starting with = + - @ tab or CR gets a leading single quote)."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell
