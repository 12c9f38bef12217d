"""Pages for professional challenge: challenging a decision, the challenges page (those sent
to you to answer, with each one's deadline in words, and those you raised, with their
answers), and one challenge with the form to answer it.

Reads go through the challenges' read models over the gates (the read scope records what each
page showed); writes go through ``do_raise_challenge`` and ``do_answer_challenge``, whose
typed refusals these pages map: ``Invalid`` to the form's errors, ``NotVisible`` to 404, any
other refusal to 403.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from tocsin.domain.casework import allowed
from tocsin.domain.clocks import CHALLENGE_OUTCOMES
from tocsin.server.actors import actor_id
from tocsin.server.casework.read_models import proposal_for
from tocsin.server.challenges.actions import do_answer_challenge, do_raise_challenge
from tocsin.server.challenges.read_models import (
    answer_within,
    challenge_for,
    challenges_raised_by,
    challenges_to_answer,
    item,
    may_answer,
)
from tocsin.server.directory.read_models import actor_names
from tocsin.server.reads import shows
from tocsin.server.web._presenting import attempt, signed_in_user
from tocsin.server.web.casework_pages import _wording_checked

__all__ = ["answer_challenge", "challenge_decision", "challenges"]


def _errors(errors: list[tuple[str, str]]) -> dict[str, object]:
    return {"errors": errors, "error_for": dict(reversed(errors))}


@login_required
@shows("challenge a decision")
@require_http_methods(["GET", "POST"])
def challenge_decision(request: HttpRequest, decision_id: str) -> HttpResponse:
    """Challenge a decision: the grounds (language-checked first); it goes outside the
    decider's line management."""
    user = signed_in_user(request)
    if not allowed(user.role, "challenge"):
        raise PermissionDenied("your role reads concerns; it does not challenge decisions")
    decision, _ = attempt(lambda: proposal_for(user, decision_id))
    assert decision is not None
    grounds = request.POST.get("grounds", "")
    errors: list[tuple[str, str]] = []
    warned = None
    if request.method == "POST":
        warned = _wording_checked(request, grounds) if grounds.strip() else None
        if warned is None:
            raised, errors = attempt(
                lambda: do_raise_challenge(decision.concern_id, decision_id, grounds, actor=user)
            )
            if raised is not None:
                return redirect(
                    reverse("web:concern", args=[decision.concern_id])
                    + "?done=challenged#challenges"
                )
    names = actor_names([decision.proposed_by])
    return render(
        request,
        "web/challenge.html",
        {
            "decision": decision,
            "concern": decision.concern,
            "decided_by": names.get(decision.proposed_by, decision.proposed_by),
            "own": decision.proposed_by == actor_id(user),
            "answer_within": answer_within(),
            "values": {"grounds": grounds},
            "warned": warned,
            "checked": grounds.strip() if warned else "",
            **_errors(errors),
        },
        status=400 if errors else 200,
    )


@login_required
@shows("challenges")
@require_safe
def challenges(request: HttpRequest) -> HttpResponse:
    """The challenges sent to you to answer (soonest due first) and those you raised."""
    user = signed_in_user(request)
    if not (allowed(user.role, "challenge") or allowed(user.role, "answer_challenge")):
        raise PermissionDenied("your role neither raises nor answers challenges")
    now = timezone.now()
    to_answer = challenges_to_answer(user, now)
    raised = challenges_raised_by(user, now)
    return render(
        request,
        "web/challenges.html",
        {
            "to_answer": to_answer,
            "raised": raised,
            "handler": allowed(user.role, "answer_challenge"),
            "challenger": allowed(user.role, "challenge"),
            "names": actor_names([i.challenge.raised_by for i in to_answer]),
        },
    )


@login_required
@shows("answer a challenge")
@require_http_methods(["GET", "POST"])
def answer_challenge(request: HttpRequest, challenge_id: str) -> HttpResponse:
    """One challenge: the decision, the grounds, the deadline; whoever it was sent to answers
    it here (upheld, partly upheld, not upheld, with reasons), and the challenger is told."""
    user = signed_in_user(request)
    challenge, _ = attempt(lambda: challenge_for(user, challenge_id))
    assert challenge is not None
    outcome = request.POST.get("outcome", "")
    answer = request.POST.get("answer", "")
    errors: list[tuple[str, str]] = []
    warned = None
    if request.method == "POST":
        warned = _wording_checked(request, answer) if outcome and answer.strip() else None
        if warned is None:
            _, errors = attempt(
                lambda: do_answer_challenge(challenge_id, outcome, answer, actor=user)
            )
            if not errors:
                return redirect(reverse("web:challenges") + "?done=answered")
    shown = item(challenge, timezone.now())
    decision = challenge.decision
    who = [challenge.raised_by, challenge.answered_by]
    if decision is not None:
        who.append(decision.proposed_by)
    names = actor_names([w for w in who if w])
    handler = may_answer(user, challenge)
    return render(
        request,
        "web/challenge_answer.html",
        {
            "item": shown,
            "challenge": challenge,
            "decision": decision,
            "concern": challenge.concern,
            "names": names,
            # The challenger is named to the challenger and to whoever answers it.
            "show_challenger": handler or challenge.raised_by == actor_id(user),
            "may_answer": handler and not challenge.answered,
            "choices": [(code, label, "") for code, label in CHALLENGE_OUTCOMES.items()],
            "values": {"outcome": outcome, "answer": answer},
            "warned": warned,
            "checked": answer.strip() if warned else "",
            **_errors(errors),
        },
        status=400 if errors else 200,
    )
