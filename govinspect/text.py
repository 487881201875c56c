"""Text from outside (the network, a file) made safe to print on a terminal.

Feed error texts, bozo complaints, titles, URLs and page errors come from servers that may be
hostile or broken: an ANSI escape in them could clear the screen, move the cursor, recolour or
retitle the terminal, or hide text.  :func:`printable` removes every C0 and C1 control character
(and whole escape sequences, so no parameter debris such as ``[2J`` is left behind).  Rich
markup escaping is a separate concern: :func:`for_console` does both, for ``console.print``.
"""

from __future__ import annotations

import re

from rich.markup import escape

# Whole escape sequences first: CSI (ESC [ or the one-character C1 CSI) with its parameters,
# intermediates and final character; OSC/DCS/SOS/PM/APC strings up to BEL or ST; and any other
# ESC sequence (ESC 7, ESC c, ESC ( B ...).  An unterminated string loses only its introducer.
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]"
)
# Line breaks and tabs become a space (words stay apart); every other control goes.
_SPACING = re.compile(r"[\t\n\v\f\r\x85]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: object) -> str:
    """``text`` (``str()`` of it) without terminal control characters, on one line."""
    value = text if isinstance(text, str) else str(text)
    value = _SEQUENCE.sub("", value)
    value = _SPACING.sub(" ", value)
    return _CONTROL.sub("", value)


def for_console(text: object) -> str:
    """:func:`printable` text with Rich markup escaped (``[red]`` in a title stays text)."""
    return escape(printable(text))
