"""Pages for clerical review (docs/linkage.md): the tray of candidate matches waiting for a
person, one match side by side with the engine's explanation and the review form, and the page
that splits a merge found to be wrong. Writes go through ``tocsin.server.people.review``; each
page that shows person records is a read on the ledger (the rows it loads)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from tocsin.domain.bounds import whole_number
from tocsin.domain.casework import allowed
from tocsin.domain.concerns import SEXES
from tocsin.domain.identity import REVIEW_DECISIONS
from tocsin.server.concerns.gates import children_visible_to
from tocsin.server.directory.read_models import actor_names
from tocsin.server.people.merges import merge_in_force
from tocsin.server.people.review import (
    do_review_match,
    do_split_children,
    explanation,
    match_for_review,
    merged_pair,
    review_tray,
)
from tocsin.server.reads import shows
from tocsin.server.web._presenting import attempt, signed_in_user

__all__ = ["match_review", "review_tray_page", "split_merge"]

_REFUSAL = "only the front door reviews matches between people's records"
#: How many waiting matches the tray lists at once (the oldest wait on the next page).
TRAY_PAGE = 50


def _reviewer(request: HttpRequest):  # type: ignore[no-untyped-def]
    user = signed_in_user(request)
    if not allowed(user.role, "review_match"):
        raise PermissionDenied(_REFUSAL)
    return user


def _errors(errors: list[tuple[str, str]]) -> dict[str, object]:
    return {"errors": errors, "error_for": dict(reversed(errors))}


@login_required
@shows("matches to review")
@require_GET
def review_tray_page(request: HttpRequest) -> HttpResponse:
    """Candidate matches waiting for a person, newest first, a page at a time."""
    user = _reviewer(request)
    waiting = review_tray(user)
    total = waiting.count()
    pages = max(1, -(-total // TRAY_PAGE))
    # Within the pages there are: a page far beyond them made an offset no database column
    # holds (a server error).
    page = min(max(1, whole_number(request.GET.get("page", "")) or 1), pages)
    start = (page - 1) * TRAY_PAGE
    matches = list(waiting[start : start + TRAY_PAGE])
    return render(
        request,
        "web/match_tray.html",
        {
            "matches": matches,
            "total": total,
            "page": page,
            "pages": pages,
            "done": request.GET.get("done", ""),
        },
    )


@login_required
@shows("a match under review")
@require_http_methods(["GET", "POST"])
def match_review(request: HttpRequest, match_id: str) -> HttpResponse:
    """Two person records side by side, why the engine scored them as it did, and the form
    that confirms or rejects the match (and merges two child records confirmed as one)."""
    user = _reviewer(request)
    match, _ = attempt(lambda: match_for_review(user, match_id))
    assert match is not None
    both_children = match.left.child_id is not None and match.right.child_id is not None
    one_child_already = both_children and match.left.child_id == match.right.child_id
    values = {
        "decision": request.POST.get("decision", ""),
        "reason": request.POST.get("reason", ""),
        "merge": request.POST.get("merge", "" if request.method == "POST" else "yes"),
    }
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        if match.status != "proposed":
            errors = [("decision", "This match has already been decided")]
        else:
            _, errors = attempt(
                lambda: do_review_match(
                    match.pk,
                    values["decision"],
                    values["reason"],
                    merge=both_children and not one_child_already and values["merge"] == "yes",
                    actor=user,
                )
            )
        if not errors:
            return redirect(reverse("web:match-tray") + f"?done={values['decision']}")
    review = getattr(match, "review", None) if match.status != "proposed" else None
    return render(
        request,
        "web/match_review.html",
        {
            "match": match,
            "left": match.left,
            "right": match.right,
            "explanation": explanation(match),
            "sexes": SEXES,
            "decisions": [(k, v, "") for k, v in REVIEW_DECISIONS.items()],
            "may_merge": both_children and not one_child_already,
            "one_child_already": one_child_already,
            "review": review,
            "names": actor_names([review.reviewer] if review else []),
            "values": values,
            **_errors(errors),
        },
        status=400 if errors else 200,
    )


@login_required
@shows("a merge of child records")
@require_http_methods(["GET", "POST"])
def split_merge(request: HttpRequest, child_id: str, merge_id: str) -> HttpResponse:
    """Undo a merge of two child records, with the reason."""
    user = _reviewer(request)
    merge = merge_in_force(merge_id)
    if (
        merge is None
        or str(merge.survivor_id) != str(child_id)
        or not children_visible_to(user).filter(pk=merge.survivor_id).exists()
    ):
        raise Http404("no such merge, or it has already been split")
    reason = request.POST.get("reason", "")
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        _, errors = attempt(lambda: do_split_children(merge.pk, reason, actor=user))
        if not errors:
            return redirect(reverse("web:child", args=[merge.survivor_id]) + "?done=split")
    # Both records' names are shown: loading them is the read.
    survivor, merged = merged_pair(merge)
    return render(
        request,
        "web/merge_split.html",
        {
            "merge": merge,
            "survivor": survivor,
            "merged": merged,
            "names": actor_names([merge.merged_by]),
            "values": {"reason": reason},
            **_errors(errors),
        },
        status=400 if errors else 200,
    )
