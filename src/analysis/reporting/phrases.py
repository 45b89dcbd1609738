"""Japanese text in phrases, for line breaks a reader expects: in a printed table cell or heading (html_export) and
in a figure's labels (figures.phrase_lines)."""

from __future__ import annotations

import re
from functools import cache

# a number and its counter read as one word: 「1か月」「2024年度」「65歳」「2040年」
_NUMBER_WORD = re.compile(r"[\d,.]+\s*(?:か月|ヶ月|か所|年度|年|月|日|人|件|歳|%|％)?")


@cache
def _parser():
    import budoux

    return budoux.load_default_japanese_parser()


def split_phrases(text: str) -> list[str]:
    """BudouX's phrases of ``text`` with no break inside a number and its counter (BudouX may part 「204」|「0年」 or
    「1か」|「月」; a reader never would)."""
    inside = {i for found in _NUMBER_WORD.finditer(text) for i in range(found.start() + 1, found.end())}
    merged: list[str] = []
    position = 0
    for phrase in _parser().parse(text):
        if merged and position in inside:
            merged[-1] += phrase
        else:
            merged.append(phrase)
        position += len(phrase)
    return merged
