"""Text people type may not hold invisible or direction-changing characters, nor line breaks where it is one line."""

import pytest

from analysis import typed_text


@pytest.mark.parametrize("text, found", [
    ("訪問診療を\u202e広げる", "character 6 is an invisible U+202E"),
    ("training\u200bsessions", "U+200B (zero width space)"),
    ("acp\u200d", "U+200D"),
    ("\ufeff筑水市", "U+FEFF"),
    ("筑水市\u2066", "U+2066"),
    ("筑水市\ndisclosure:", "character 4 is a line break"),
    ("筑水\x00市", "control character U+0000"),
])
def test_characters_a_reader_cannot_see_are_named_with_their_position(text, found):
    assert found in typed_text.problem(text)
    with pytest.raises(ValueError, match="character"):
        typed_text.checked(text)


def test_line_breaks_and_tabs_are_text_in_a_paragraph_but_not_other_controls():
    assert typed_text.problem("一行目\n二行目\r\n\t三行目", multiline=True) is None
    assert typed_text.problem("一行目\x07", multiline=True)


@pytest.mark.parametrize("text", ["筑水市", "ACP（人生会議）を知る", "葛󠄀飾区", "a b　c", ""])
def test_ordinary_text_passes(text):
    assert typed_text.checked(text) == text
