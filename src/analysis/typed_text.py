"""Text people type — names, goals, visions, ids — and the characters it may not hold.

Invisible and direction-changing characters (U+200B zero width space, U+202E right-to-left
override, …) come in with text pasted from web pages and mail. They make a goal print
differently from what it says and two ids look equal that never match, so they are refused
with their position rather than kept or silently removed. Control characters (a line break
in a name) are refused where the text is one line.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator

# line breaks and tabs are text in a paragraph; every other control character is not
_PARAGRAPH_CONTROLS = frozenset("\n\r\t")


def problem(text: str, *, multiline: bool = False) -> str | None:
    """Why ``text`` cannot be taken as typed, naming the first bad character and its position; None if it can."""
    for position, char in enumerate(str(text), start=1):
        category = unicodedata.category(char)
        if category == "Cf":  # format characters: zero-width spaces and joiners, direction marks and overrides, BOM
            name = unicodedata.name(char, "format character").lower()
            return (f"character {position} is an invisible U+{ord(char):04X} ({name}); delete it "
                    "(it often comes with text pasted from a web page or mail)")
        if category == "Cc" and not (multiline and char in _PARAGRAPH_CONTROLS):
            if char in "\r\n":
                return f"character {position} is a line break; write this on one line"
            return f"character {position} is the control character U+{ord(char):04X}; delete it"
    return None


def checked(text: str, *, multiline: bool = False) -> str:
    """``text`` unchanged, or ValueError with ``problem`` (for pydantic validators)."""
    found = problem(text, multiline=multiline)
    if found:
        raise ValueError(found)
    return text


def _paragraph(text: str) -> str:
    return checked(text, multiline=True)


# Field types of the parameter file's texts (pydantic): a name or an id on one line, a vision or goal in paragraphs
OneLine = Annotated[str, AfterValidator(checked)]
Paragraph = Annotated[str, AfterValidator(_paragraph)]
