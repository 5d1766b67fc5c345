"""The view model reads a gap's lines (and a flag's sources) as a whole when they are all
printable text (report/view.py `_texts`); that must give what `_text` gives each line."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from sli_rules.report import view

# Printable text most of the time, with lines that are not (a control character, a line
# break, a private-use or unassigned code point), and values that are not text at all.
LINE = (
    st.text(alphabet=st.sampled_from("ab é▲;:,.<&"), max_size=5)
    | st.text(max_size=4)
    | st.sampled_from(["\n", "\x00", "a\u2028b", "\ue000", "\x85", "", "\u0378"])
    | st.integers()
    | st.none()
    | st.builds(Markup, st.text(max_size=3))
)


@settings(max_examples=500, deadline=None)
@given(st.none() | st.lists(LINE, max_size=8) | st.lists(LINE, max_size=8).map(tuple))
def test_lines_read_whole_are_each_lines_text(lines: object) -> None:
    expected = tuple(map(view._text, lines or ()))  # type: ignore[call-overload]
    got = view._texts(lines)  # type: ignore[arg-type]
    assert got == expected
    assert all(type(text) is type(one) for text, one in zip(got, expected, strict=True))


def test_an_unprintable_line_among_printable_ones_is_made_visible() -> None:
    lines = ["fine", "a\x00b", "also fine"]
    got = view._texts(lines)
    assert got[0] == "fine" and got[2] == "also fine"
    assert got[1] != "a\x00b" and got[1] == view._text("a\x00b")
