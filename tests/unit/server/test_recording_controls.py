"""The ledger's last line against control characters reads each payload's canonical JSON
first, and walks the payload only when that JSON may hold one: it must never wave through a
text the walk would refuse."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from tocsin.domain.bounds import control_characters_problem
from tocsin.ledger import seal_payload
from tocsin.server.ledger.recording import _may_hold_controls

_texts = st.text(
    st.one_of(
        st.characters(max_codepoint=0xA0),
        st.sampled_from(["\u2028", "\u2029", "\u00a0", "é", "ł", "ے", "\\", "b", "f", "u"]),
    ),
    max_size=12,
)


@given(_texts)
@example("\x0b")
@example("\x00")
@example("\x08")
@example("\x0c")
@example("\x7f")
@example("\x85")
@example("plain words\n\tand a line\r\n")
def test_no_text_the_walk_refuses_passes_the_quick_look(text: str) -> None:
    sealed = seal_payload({"reason": text, "items": [{"summary": text}]})
    if control_characters_problem(text, free_text=True) is not None:
        assert _may_hold_controls(sealed)


def test_ordinary_payloads_are_not_walked() -> None:
    payload = {"reason": "Seen at the café on Friday;\nher brother was there.", "n": 3}
    assert not _may_hold_controls(seal_payload(payload))
    assert _may_hold_controls(seal_payload({"reason": "vertical\x0btab"}))
