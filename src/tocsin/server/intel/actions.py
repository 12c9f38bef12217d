"""Producing an estimate of the hidden number: build the agencies' lists, run the estimate,
and record the whole of it on the ledger, in that order, or record nothing.

Every estimate anyone is shown is an ``estimate.produced`` event first. There is no event that
changes or removes one, so a figure once shown stays on the record with its rule, lists and
settings, and ``tocsin verify`` proves nobody edited it behind the ledger's back.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from tocsin.domain.estimates import EstimateProduced
from tocsin.intel.estimate import METHODS, EstimationInputError, estimate, tidy_lists
from tocsin.intel.lists import SAME_CHILD_RECORD, PersonResolver
from tocsin.server.actors import ActionRefused, Actor, actor_id, require_role
from tocsin.server.intel.lists import build_agency_lists
from tocsin.server.intel.models import EstimateRun
from tocsin.server.ledger.recording import record_event
from tocsin.server.projections import LiveSession

__all__ = [
    "DEFAULT_BOOTSTRAP",
    "DEFAULT_SEED",
    "ESTIMATE_ROLES",
    "MAX_BIC_LISTS",
    "MAX_BOOTSTRAP",
    "EstimateRefused",
    "do_produce_estimate",
]

#: Who may produce and read estimates: the partnership's analysts and scrutineers, the front
#: door that sees every concern, and heads of service. The figures are aggregate counts, but
#: small counts over several agencies can still point at a child, so not everyone.
ESTIMATE_ROLES = ("analyst", "partnership_scrutineer", "mash_officer", "head_of_service")

#: Resamples when the form is left alone: about 1.3 seconds for the stepwise method on the
#: borough demonstration (six sector lists, 1,227 children; docs/estimation.md).
DEFAULT_BOOTSTRAP = 200
#: The most a page waits for (stepwise about 7 seconds at 1,000 on the borough data).
MAX_BOOTSTRAP = 1000
DEFAULT_SEED = 1234
#: The bic method compares every hierarchical model; with six lists that is 32,768 models and
#: takes minutes, too long to wait for on a page.
MAX_BIC_LISTS = 5


class EstimateRefused(ActionRefused):
    """The estimate cannot be made from these lists or options; nothing was recorded. The
    message says what is wrong and what to do (``field`` names the form field at fault)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def _check_options(method: str, bootstrap: int, seed: int | None, merge_below: int) -> None:
    if method not in METHODS:
        raise EstimateRefused(f"method must be one of {', '.join(METHODS)}", "method")
    if not 0 <= bootstrap <= MAX_BOOTSTRAP:
        raise EstimateRefused(
            f"bootstrap resamples must be between 0 and {MAX_BOOTSTRAP}", "bootstrap"
        )
    if seed is not None and seed < 0:
        raise EstimateRefused("the seed must be a whole number, 0 or more", "seed")
    if merge_below < 0:
        raise EstimateRefused("merge lists below must be 0 or more", "merge_below")


def do_produce_estimate(
    period_from: date,
    period_to: date,
    *,
    method: str = "stepwise",
    bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int | None = DEFAULT_SEED,
    grouping: str = "agency",
    merge_below: int = 0,
    resolver: PersonResolver = SAME_CHILD_RECORD,
    actor: Actor,
) -> EstimateRun:
    """Estimate how many children were exploited in the period, seen and unseen, from the
    agencies' lists, and record it (``estimate.produced``) with everything needed to redo it.

    Raises :class:`EstimateRefused` (a bad option, or lists the engine cannot use, with the
    engine's message) and records nothing then.
    """
    require_role(actor, *ESTIMATE_ROLES)
    _check_options(method, bootstrap, seed, merge_below)
    if bootstrap == 0:
        seed = None  # no resamples, so no random numbers
    try:
        lists = build_agency_lists(period_from, period_to, grouping=grouping, resolver=resolver)
        table = lists.table()
        # The engine tidies the lists itself and passes on its warnings; tidying here first
        # tells how many lists the model will see, before a slow method is started.
        used, _ = tidy_lists(table, merge_below=merge_below)
        if method == "bic" and used.lists > MAX_BIC_LISTS:
            raise EstimateRefused(
                f"the bic method compares every model, which for {used.lists} lists takes "
                "minutes; choose stepwise, or one list per sector, or run "
                "'tocsin estimate --method bic' on the capture table of a stepwise estimate",
                "method",
            )
        result = estimate(
            table, method=method, bootstrap=bootstrap, seed=seed, merge_below=merge_below
        )
    except EstimationInputError as exc:
        raise EstimateRefused(str(exc)) from None
    settings: dict[str, Any] = {"bootstrap": bootstrap, "seed": seed, "merge_below": merge_below}
    event = EstimateProduced(
        estimate_id=str(uuid.uuid4()),
        period_from=period_from.isoformat(),
        period_to=period_to.isoformat(),
        ledger_size=lists.ledger_size,
        rule=lists.rule(),
        lists=lists.lists,
        capture_table=lists.capture_table_json(),
        left_out=lists.left_out(),
        method=method,
        settings=settings,
        result=result.as_json(),
    )
    session = LiveSession("default")
    record_event(event, actor_id=actor_id(actor), session=session)
    return session.row(EstimateRun, event.estimate_id)
