"""Reporting a concern without an account, in English, Urdu or Polish, and following it up
with the 16-character code. No login; rate-limited; no IP address kept anywhere.

The language is part of the address (``/report/ur/``), so a link can be shared in the right
language and nothing about the visitor needs to be remembered to choose it.
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from tocsin.domain.bounds import CONTROL_CHARACTERS, whole_number
from tocsin.domain.concerns import (
    ChildDraft,
    ConcernDraft,
    FieldProblem,
    PersonDraft,
    VehicleDraft,
    follow_up_code_hash,
    validate_draft,
)
from tocsin.domain.concerns._draft import (
    MAX_ADDRESS,
    MAX_DESCRIPTION,
    MAX_NAME,
    MAX_NARRATIVE,
    MAX_SHORT,
)
from tocsin.domain.concerns.steps import read_date
from tocsin.ledger import StoreConflict
from tocsin.server.actors import Invalid
from tocsin.server.casework.read_models import report_progress
from tocsin.server.concerns.actions import (
    FOLLOW_UP_CODE_NOT_MATCHED,
    FOLLOW_UP_EMPTY,
    FOLLOW_UP_TOO_LONG,
    PUBLIC,
    ConcernInvalid,
    do_add_follow_up,
    do_record_concern,
)
from tocsin.server.web import _challenge, _ratelimit
from tocsin.server.web._presenting import receipt_response
from tocsin.server.web._translations import unreviewed_languages

__all__ = [
    "LANGUAGES",
    "choose_language",
    "follow_up",
    "progress",
    "receipt",
    "report",
    "reported",
]

#: code in the address → (Django language, html lang, direction, name in that language).
LANGUAGES: dict[str, tuple[str, str, str, str]] = {
    "en": ("en-gb", "en-GB", "ltr", "English"),
    "ur": ("ur", "ur", "rtl", "اردو"),
    "pl": ("pl", "pl", "ltr", "Polski"),
}
SESSION_KEY = "tocsin-public-report"
#: The cookie holding the one-time pad the follow-up code is sealed with, and for how long
#: (seconds) the code can be shown after the report is sent.
CODE_COOKIE = "tocsin-code-pad"
CODE_SHOWN_FOR = 600
_log = logging.getLogger(__name__)
#: A write that failed for want of the database or the ledger, not for anything the visitor did.
WRITE_FAILURES = (DatabaseError, StoreConflict)
#: The follow-up action's fields → the form's.
_FOLLOW_UP_FIELDS = {"code": "code", "text": "information"}


def _language(lang: str) -> tuple[str, str, str, str]:
    if lang not in LANGUAGES:
        raise Http404("no such language")
    return LANGUAGES[lang]


def _render(
    request: HttpRequest, lang: str, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    django_lang, html_lang, direction, _name = _language(lang)
    switcher = [(code, entry[1], entry[3]) for code, entry in LANGUAGES.items() if code != lang]
    page = {
        "lang": lang,
        "page_lang": html_lang,
        "page_dir": direction,
        "switcher": switcher,
        # The base page shows the public's navigation, never a signed-in person's (in English).
        "public_page": True,
        **context,
    }
    if "translation_notice" not in page and request.user.is_authenticated:
        # Staff, never the public, see which languages still have entries to review.
        page["translation_notice"] = unreviewed_languages()
    with translation.override(django_lang):
        response = render(request, template, page, status=status)
    response["Content-Language"] = html_lang
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def choose_language(request: HttpRequest) -> HttpResponse:
    """``/report/``: the visitor's browser language if we offer it, else English."""
    preferred = translation.get_language_from_request(request)[:2]
    return redirect("web:report-form", lang=preferred if preferred in LANGUAGES else "en")


def _messages() -> dict[str, str]:
    """The public form's messages, in the active language (the domain's are English)."""
    return {
        "children[0].given_name": _(
            "Tell us about the child: a name or nickname, what they look like, their school or age"
        ),
        "children[0].approximate_age": _("Enter the child's age as a number from 0 to 17"),
        "narrative": _("Tell us what happened or what worries you"),
        "occurred_on": _("Enter a real date in the past, or leave it blank"),
        "persons[0].approximate_age": _("Enter the adult's age as a number, or leave it blank"),
        "vehicles[0].registration": _("Enter the registration, or leave it blank"),
    }


def _too_long(target: str, limit: int) -> str:
    """The message for an answer over its limit, with the limit written as the language
    writes numbers ("20,000", "20 000")."""
    messages = {
        "child_name": _("The child's name must be %(limit)s characters or fewer"),
        "child_description": _("What the child looks like must be %(limit)s characters or fewer"),
        "child_school": _("The school or college must be %(limit)s characters or fewer"),
        "narrative": _("What happened must be %(limit)s characters or fewer"),
        "occurred_where": _("Where it happened must be %(limit)s characters or fewer"),
        "adult_description": _("What you know about adults must be %(limit)s characters or fewer"),
        "vehicle_make": _("The vehicle make and colour must be %(limit)s characters or fewer"),
        "vehicle": _("The registration must be %(limit)s characters or fewer"),
    }
    return messages[target] % {"limit": number_format(limit, force_grouping=True)}


def _follow_up_messages() -> dict[str, str]:
    """The follow-up action's problems, in the active language (the action's are English)."""
    return {
        FOLLOW_UP_CODE_NOT_MATCHED: _("We could not match that code. Check it and try again"),
        FOLLOW_UP_EMPTY: _("Tell us the information you want to add"),
        FOLLOW_UP_TOO_LONG: _("Keep the information under 5,000 characters"),
    }


_FIELD_IDS = {
    "children[0].given_name": "child_name",
    "children[0].description": "child_description",
    "children[0].school": "child_school",
    "children[0].approximate_age": "child_age",
    "narrative": "narrative",
    "occurred_on": "occurred_on-day",
    "occurred_where": "occurred_where",
    "persons[0].approximate_age": "adult_description",
    "persons[0].names": "adult_description",
    "persons[0].description": "adult_description",
    "vehicles[0].registration": "vehicle",
    "vehicles[0].make": "vehicle_make",
}
#: The longest answer each field may hold (the domain's limits, which validate_draft applies):
#: a problem at a field whose answer is longer than this is about its length.
_LIMITS = {
    "child_name": MAX_NAME,
    "child_description": MAX_DESCRIPTION,
    "child_school": MAX_NAME,
    "narrative": MAX_NARRATIVE,
    "occurred_where": MAX_ADDRESS,
    "adult_description": MAX_DESCRIPTION,
    "vehicle_make": MAX_SHORT,
    "vehicle": MAX_SHORT,
}
#: Arabic-Indic and Urdu (extended Arabic-Indic) digits, as an Urdu keyboard types them.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)

_FORM_ORDER = [
    "child_name",
    "child_description",
    "child_age",
    "child_school",
    "narrative",
    "occurred_on-day",
    "occurred_where",
    "adult_description",
    "vehicle_make",
    "vehicle",
]


def _draft(form: Any, problems: list[FieldProblem]) -> ConcernDraft:
    age_text = form.get("child_age", "").strip().translate(_DIGITS)
    age = whole_number(age_text)  # ASCII digits only: "²" is not a number
    if age_text and age is None:
        problems.append(FieldProblem("children[0].approximate_age", "not a number"))
    adult = form.get("adult_description", "").strip()
    registration = form.get("vehicle", "").strip()
    make = form.get("vehicle_make", "").strip()
    child = ChildDraft(
        given_name=form.get("child_name", "").strip(),
        description=form.get("child_description", "").strip(),
        school=form.get("child_school", "").strip(),
        approximate_age=age,
    )
    return ConcernDraft(
        # A reporter need not know the child's name: what they look like, their school or
        # their age is enough (validate_draft asks for one of them).
        children=[child],
        narrative=form.get("narrative", ""),
        occurred_on=_day(read_date(form, "occurred_on", "occurred_on", problems)),
        occurred_where=form.get("occurred_where", "").strip(),
        persons=[PersonDraft(description=adult)] if adult else [],
        # "Black Audi" is the make and colour as the reporter put them, kept in one field.
        vehicles=[VehicleDraft(registration=registration, make=make)]
        if registration or make
        else [],
        channel="public",
    )


def _day(iso: str | None) -> Any:
    from datetime import date

    return date.fromisoformat(iso) if iso else None


def _errors(problems: list[FieldProblem], values: dict[str, str]) -> list[tuple[str, str]]:
    messages = _messages()
    errors: list[tuple[str, str]] = []
    for problem in problems:
        target = _FIELD_IDS.get(problem.field, "narrative")
        limit = _LIMITS.get(target)
        if limit is not None and len(values.get(target, "").strip()) > limit:
            message = _too_long(target, limit)
        else:
            message = messages.get(problem.field, _("Check this answer"))
        if problem.message == CONTROL_CHARACTERS:  # not what the field's own message is about
            message = _("Check this answer")
        if (target, message) not in errors:
            errors.append((target, message))
    return sorted(errors, key=lambda error: _FORM_ORDER.index(error[0]))


def _report_form(
    request: HttpRequest,
    lang: str,
    values: dict[str, str],
    errors: list[tuple[str, str]],
    *,
    status: int,
    notice: str = "",
    challenge: _challenge.Challenge | None = None,
    wait: int = 0,
    problem: str = "",
) -> HttpResponse:
    """The form, with a challenge when one is due (or the one being waited out), and the
    notice for a ``problem`` that kept it from being sent ("csrf", "write-failed")."""
    if challenge is None and _ratelimit.challenge_due(request, _ratelimit.REPORT.action):
        challenge = _challenge.issue()
    response = _render(
        request,
        lang,
        "web/public_report.html",
        {
            "values": values,
            "errors": errors,
            "error_for": dict(reversed(errors)),
            "challenge": challenge,
            "challenge_fields": (_challenge.TOKEN_FIELD, _challenge.ANSWER_FIELD),
            "notice": notice,
            "wait": wait or _challenge.WAIT_SECONDS,
            "problem": problem,
        },
        status=status,
    )
    if notice == "wait":
        response["Retry-After"] = str(wait)
    return response


def _write_failed(exc: Exception) -> None:
    """The database or the ledger refused a public write: the visitor gets the form again with
    what they wrote and the 999 advice; only the kind of failure is logged, never the text."""
    _log.error("a public write failed: %s", type(exc).__name__)


_NOT_ANSWERS = {"csrfmiddlewaretoken", _challenge.TOKEN_FIELD, _challenge.ANSWER_FIELD}


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, lang: str) -> HttpResponse:
    """The public reporting form; on success the code is shown once on the next page.

    Under attack the form carries a challenge, met before anything else is read. Only a report
    that passes validation counts against the visitor's limits; an invalid one is counted apart
    (``_ratelimit.note_invalid``), so junk never uses up what a genuine report needs."""
    _language(lang)
    if request.method == "GET":
        return _report_form(request, lang, {}, [], status=200)
    action = _ratelimit.REPORT.action
    values = {k: request.POST.get(k, "") for k in request.POST if k not in _NOT_ANSWERS}
    if _ratelimit.challenge_due(request, action):
        outcome, wait = _challenge.check(request.POST)
        if outcome is _challenge.Outcome.TOO_SOON:
            # The same challenge again, so the wait already done still counts.
            token = request.POST.get(_challenge.TOKEN_FIELD, "")
            same = _challenge.Challenge(token, _challenge.BITS)
            return _report_form(
                request, lang, values, [], status=429, notice="wait", challenge=same, wait=wait
            )
        if outcome is _challenge.Outcome.FAILED:
            _ratelimit.note_invalid(request, action)
            return _report_form(request, lang, values, [], status=400, notice="challenge")
    problems: list[FieldProblem] = []
    with translation.override(LANGUAGES[lang][0]):
        draft = _draft(request.POST, problems)
        problems += validate_draft(draft, today=timezone.localdate())
        if not problems:
            if not _ratelimit.allow(request, _ratelimit.REPORT):
                return _render(request, lang, "web/public_busy.html", {}, status=429)
            try:
                result = do_record_concern(draft, actor=PUBLIC, follow_up=True)
            except ConcernInvalid as exc:
                problems = exc.problems
            except WRITE_FAILURES as exc:
                _write_failed(exc)
                return _report_form(request, lang, values, [], status=503, problem="write-failed")
        if problems:
            _ratelimit.note_invalid(request, action)
            return _report_form(request, lang, values, _errors(problems, values), status=400)
    code = result.follow_up_code
    assert code is not None  # asked for with follow_up=True
    pad = secrets.token_bytes(len(code))
    request.session[SESSION_KEY] = {
        "reference": result.concern.reference,
        "seq": result.envelope.seq,
        # The code is kept only sealed with a one-time pad that only the visitor's browser
        # holds (a short-lived cookie): the session store never sees it in plain text.
        "sealed_code": _xor(code.encode("ascii"), pad).hex(),
        "sealed_at": int(time.time()),
    }
    response = redirect("web:report-sent", lang=lang)
    response.set_cookie(
        CODE_COOKIE,
        pad.hex(),
        max_age=CODE_SHOWN_FOR,
        path="/report/",
        secure=request.is_secure(),
        httponly=True,
        samesite="Strict",
    )
    return response


def _xor(data: bytes, pad: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, pad, strict=True))


def _unseal(sent: dict[str, Any], pad_hex: str | None) -> str | None:
    """The follow-up code, if the session holds it sealed, it is fresh and the browser sent the
    pad; else None."""
    sealed = sent.get("sealed_code")
    if not sealed or not pad_hex:
        return None
    if time.time() - int(sent.get("sealed_at", 0)) > CODE_SHOWN_FOR:
        return None
    try:
        code = _xor(bytes.fromhex(sealed), bytes.fromhex(pad_hex)).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        return None
    return code if code.isalnum() else None


@require_safe
def reported(request: HttpRequest, lang: str) -> HttpResponse:
    """The confirmation: the reference, and the follow-up code, shown this once. The sealed
    code and its pad are dropped whether or not they could be read."""
    _language(lang)
    sent = request.session.get(SESSION_KEY)
    if not sent:
        return redirect("web:report-form", lang=lang)
    code = _unseal(sent, request.COOKIES.get(CODE_COOKIE))
    if "sealed_code" in sent:
        request.session[SESSION_KEY] = {"reference": sent["reference"], "seq": sent["seq"]}
    spaced = " ".join(code[i : i + 4] for i in range(0, len(code), 4)) if code else None
    response = _render(
        request,
        lang,
        "web/public_sent.html",
        {"reference": sent["reference"], "code": spaced},
    )
    response.delete_cookie(CODE_COOKIE, path="/report/", samesite="Strict")
    return response


@require_safe
def receipt(request: HttpRequest, lang: str) -> HttpResponse:
    """The receipt for the report this visitor just made (no personal data in it)."""
    _language(lang)
    sent = request.session.get(SESSION_KEY)
    if not sent:
        raise Http404("no report in this session")
    return receipt_response(int(sent["seq"]), str(sent["reference"]))


@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest, lang: str) -> HttpResponse:
    """Add information to an earlier report with its code. A wrong code always gets the same
    answer, so nobody can learn whether a code exists."""
    _language(lang)
    values: dict[str, str] = {}
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        values = {
            "code": request.POST.get("code", ""),
            "information": request.POST.get("information", ""),
        }
        if not _ratelimit.allow(request, _ratelimit.FOLLOW_UP):
            return _render(request, lang, "web/public_busy.html", {}, status=429)
        with translation.override(LANGUAGES[lang][0]):
            try:
                do_add_follow_up(values["code"], values["information"])
            except WRITE_FAILURES as exc:
                _write_failed(exc)
                return _render(
                    request,
                    lang,
                    "web/public_follow_up.html",
                    {"values": values, "errors": [], "error_for": {}, "problem": "write-failed"},
                    status=503,
                )
            except Invalid as exc:
                messages = _follow_up_messages()
                errors = [
                    (_FOLLOW_UP_FIELDS[p.field], messages.get(p.message, _("Check this answer")))
                    for p in exc.problems
                ]
            else:
                return _render(request, lang, "web/public_added.html", {})
    return _render(
        request,
        lang,
        "web/public_follow_up.html",
        {"values": values, "errors": errors, "error_for": dict(reversed(errors))},
        status=400 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
def progress(request: HttpRequest, lang: str) -> HttpResponse:
    """What has happened to a report, for the person who made it: with their follow-up code,
    where it stands or the kind of outcome, in plain words in their language. Nothing about
    the child or family is shown; a code that matches nothing gets the same answer whatever
    was meant, and every look counts against the visitor's limit like a follow-up."""
    _language(lang)
    values = {"code": request.POST.get("code", "")}
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        if not _ratelimit.allow(request, _ratelimit.FOLLOW_UP):
            return _render(request, lang, "web/public_busy.html", {}, status=429)
        words = report_progress(follow_up_code_hash(values["code"]))
        if words is not None:
            with translation.override(LANGUAGES[lang][0]):
                told = _(words)
            return _render(request, lang, "web/public_progress.html", {"words": told})
        with translation.override(LANGUAGES[lang][0]):
            errors = [("code", _follow_up_messages()[FOLLOW_UP_CODE_NOT_MATCHED])]
    return _render(
        request,
        lang,
        "web/public_check.html",
        {"values": values, "errors": errors, "error_for": dict(reversed(errors))},
        status=400 if errors else 200,
    )
