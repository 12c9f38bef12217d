"""Helpers the page views share: the signed-in user, language warnings laid out for
highlighting, band labels, the receipt download, and running an action for a form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from tocsin.domain import screening as screening_policy
from tocsin.domain.language import check_text
from tocsin.server.actors import ActionRefused, Invalid, NotVisible
from tocsin.server.concerns.read_models import screening_result
from tocsin.server.directory.models import User
from tocsin.server.ledger.checkpoints import latest_checkpoint, receipt_for, sign_checkpoint_now

__all__ = [
    "IndicatorShown",
    "WarnedText",
    "attempt",
    "band_label",
    "indicators_of",
    "indicators_of_screening",
    "receipt_response",
    "signed_in_user",
    "warnings_in",
]


def signed_in_user(request: HttpRequest) -> User:
    """The person signed in (views are behind ``login_required``)."""
    user = request.user
    assert isinstance(user, User)
    return user


@dataclass(frozen=True)
class WarnedText:
    """Free text cut into pieces, the pieces the language check flagged marked, with the
    warnings (and their suggested alternatives) in order."""

    segments: list[tuple[str, bool]]
    warnings: list[Any]

    def __bool__(self) -> bool:
        return bool(self.warnings)


def warnings_in(text: str) -> WarnedText:
    """The language check's warnings for ``text``, ready to show inline. Never blocks."""
    if not text:
        return WarnedText([], [])
    warnings = check_text(text)
    segments: list[tuple[str, bool]] = []
    position = 0
    for warning in sorted(warnings, key=lambda w: (w.start, w.end)):
        if warning.start < position:
            continue  # overlapping matches: the first one is already marked
        segments.append((text[position : warning.start], False))
        segments.append((text[warning.start : warning.end], True))
        position = warning.end
    segments.append((text[position:], False))
    return WarnedText([s for s in segments if s[0]], warnings)


def band_label(band_id: str) -> str:
    """A band's label ("Moderate risk") from its id, or the id if the scheme has no such band."""
    try:
        return str(screening_policy.scheme().band(band_id).label)
    except LookupError:
        return band_id


@dataclass(frozen=True)
class IndicatorShown:
    """One indicator behind a band, as a page shows it: when it was last seen, its points,
    and why, in words."""

    label: str
    seen_on: date | None
    points: int
    explanation: str
    aged_out: bool


def indicators_of(
    result: screening_policy.ScreeningResult, *, before_recording: bool = False
) -> tuple[list[IndicatorShown], screening_policy.StaleNotice | None]:
    """A screening result's indicators, and the notice for any seen too long ago to count
    (worded for before or after recording)."""
    shown = [
        IndicatorShown(c.label, c.seen_on, c.points, c.explanation, c.aged_out)
        for c in result.contributions
    ]
    return shown, result.stale_notice(before_recording=before_recording)


def indicators_of_screening(
    screening: Any,
) -> tuple[list[IndicatorShown], screening_policy.StaleNotice | None]:
    """A recorded screening's indicators and notice, in the words of the scheme in force; for
    one recorded under another scheme, what it recorded then (and no notice)."""
    result = screening_result(screening)
    if result is not None:
        return indicators_of(result)
    labels = {i.id: i.label for i in screening_policy.scheme().indicators}
    return [
        IndicatorShown(
            labels.get(c["indicator_id"], c["indicator_id"]),
            date.fromisoformat(c["seen_on"]) if c.get("seen_on") else None,
            c["points"],
            c.get("explanation", ""),
            False,
        )
        for c in screening.contributions
    ], None


def receipt_response(seq: int, reference: str) -> HttpResponse:
    """The C2SP tlog-proof for event ``seq`` as a text download, signing a checkpoint first
    if none covers the event yet; under a witness's cosignature when one has been given (the
    checkpoint worker asks for one within seconds of every write)."""
    latest = latest_checkpoint()
    if latest is None or latest.size <= seq:
        sign_checkpoint_now()
    text = receipt_for(seq, require_cosigned=False)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tocsin-receipt-{reference}.txt"'
    response["Cache-Control"] = "no-store"
    return response


_T = TypeVar("_T")


def attempt(action: Callable[[], _T]) -> tuple[_T | None, list[tuple[str, str]]]:
    """Run an action for a page: its result and no errors, or, if it refused with field
    problems (``Invalid``), None and each ``(field, message)`` for the form. A record outside
    need-to-know answers 404; any other refusal 403. The page repeats none of the checks."""
    try:
        return action(), []
    except Invalid as exc:
        return None, [(p.field, p.message) for p in exc.problems]
    except NotVisible as exc:
        raise Http404(str(exc)) from None
    except ActionRefused as exc:
        raise PermissionDenied(str(exc)) from None
