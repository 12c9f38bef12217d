"""The practitioner's concern form as GOV.UK question pages: the steps, the draft kept in the
session between them, reading each page's answers into the draft, and mapping the domain's
field problems (``children[0].date_of_birth``) to the page and field they belong to.

Plain data and functions; the views stay thin and the templates render what is here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tocsin.domain.concerns import (
    CIN_FACTORS,
    ETHNICITY,
    GRADING_HANDLING,
    GRADING_INTELLIGENCE,
    GRADING_SOURCE,
    NOT_KNOWN,
    SEXES,
    ChildDraft,
    ConcernDraft,
    FieldProblem,
    Grading,
    IndicatorSeen,
    PersonDraft,
    PlaceDraft,
    VehicleDraft,
)

__all__ = [
    "STEPS",
    "FieldSpec",
    "Step",
    "draft_from_session",
    "empty_session_draft",
    "html_id",
    "problems_for_step",
    "read_step",
    "step_for_field",
    "steps_for",
    "values_for_step",
]

SESSION_KEY = "tocsin-concern-draft"


@dataclass(frozen=True)
class FieldSpec:
    """One question on a page: its name in the draft, how it is asked, and its choices."""

    name: str
    label: str
    kind: str = "text"  # text | textarea | date | number | select | list
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    width: str = ""
    autocomplete: str = "off"
    default: str = ""


@dataclass(frozen=True)
class Step:
    """One question page. ``list_key`` names a list in the draft (one fieldset per entry)."""

    slug: str
    title: str
    caption: str = ""
    list_key: str | None = None
    noun: str = ""
    fields: tuple[FieldSpec, ...] = ()
    keys: tuple[str, ...] = ()
    template: str = "web/concern_step.html"
    hint: str = ""
    police_only: bool = False


def _choices(codes: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(codes.items())


# "Not yet obtained" first: it is the honest default, never a guess.
_ETHNICITY_CHOICES = (
    (NOT_KNOWN, ETHNICITY[NOT_KNOWN]),
    *((code, label) for code, label in ETHNICITY.items() if code != NOT_KNOWN),
)

STEPS: tuple[Step, ...] = (
    Step(
        "children",
        "Which child or children is the concern about?",
        list_key="children",
        noun="Child",
        keys=("children",),
        hint="Give whatever you know. A name or a name the child is known by is enough to start.",
        fields=(
            FieldSpec(
                "given_name", "First name", autocomplete="off", width="govuk-input--width-20"
            ),
            FieldSpec("family_name", "Last name", width="govuk-input--width-20"),
            FieldSpec(
                "aliases",
                "Other names or nicknames",
                kind="list",
                hint="Separate several with commas",
            ),
            FieldSpec("date_of_birth", "Date of birth", kind="date", hint="For example, 27 3 2012"),
            FieldSpec(
                "approximate_age",
                "Approximate age, if the date of birth is not known",
                kind="number",
                width="govuk-input--width-3",
            ),
            FieldSpec("sex", "Sex", kind="select", choices=_choices(SEXES), default="U"),
            FieldSpec("address", "Address"),
            FieldSpec("postcode", "Postcode", width="govuk-input--width-10"),
            FieldSpec("school", "School or college"),
            FieldSpec(
                "nhs_number",
                "NHS number",
                hint="10 digits, for example 943 476 5919",
                width="govuk-input--width-10",
            ),
        ),
    ),
    Step(
        "what-happened",
        "What happened, when and where?",
        keys=("narrative", "occurred_on", "occurred_where"),
        fields=(
            FieldSpec(
                "narrative",
                "What happened",
                kind="textarea",
                hint="Describe what you saw or were told, in the words used where you can. "
                "Describe what adults did to the child, not what the child 'chose'.",
            ),
            FieldSpec(
                "occurred_on", "When it happened", kind="date", hint="For example, 1 11 2026"
            ),
            FieldSpec("occurred_where", "Where it happened"),
        ),
    ),
    Step(
        "persons",
        "Are there people of concern?",
        list_key="persons",
        noun="Person",
        keys=("persons",),
        hint="Adults or others who may be harming the child. Leave blank if there are none.",
        fields=(
            FieldSpec("names", "Names", kind="list", hint="Separate several with commas"),
            FieldSpec("nicknames", "Nicknames", kind="list", hint="Separate several with commas"),
            FieldSpec("description", "Description", kind="textarea"),
            FieldSpec(
                "ethnicity",
                "Ethnicity, as described",
                kind="select",
                hint="As the person describes themselves or as described to you. Never guess: "
                "choose 'Information not yet obtained' or 'Refused'.",
                choices=_ETHNICITY_CHOICES,
                default=NOT_KNOWN,
            ),
            FieldSpec(
                "approximate_age", "Approximate age", kind="number", width="govuk-input--width-3"
            ),
        ),
    ),
    Step(
        "vehicles",
        "Are there vehicles involved?",
        list_key="vehicles",
        noun="Vehicle",
        keys=("vehicles",),
        hint="Even part of a registration helps. Leave blank if there are none.",
        fields=(
            FieldSpec("registration", "Registration", width="govuk-input--width-10"),
            FieldSpec("make", "Make", width="govuk-input--width-20"),
            FieldSpec("colour", "Colour", width="govuk-input--width-10"),
        ),
    ),
    Step(
        "phones",
        "Are there phone numbers involved?",
        list_key="phones",
        noun="Phone number",
        keys=("phones",),
        hint="Leave blank if there are none.",
        fields=(
            FieldSpec("number", "Phone number", width="govuk-input--width-20", autocomplete="off"),
        ),
    ),
    Step(
        "places",
        "Are there places involved?",
        list_key="places",
        noun="Place",
        keys=("places",),
        hint="Addresses, parks, shops, hotels. Leave blank if there are none.",
        fields=(
            FieldSpec("name", "Name or description of the place"),
            FieldSpec("postcode", "Postcode", width="govuk-input--width-10"),
        ),
    ),
    Step(
        "indicators",
        "Which screening indicators have been seen?",
        keys=("indicators",),
        template="web/concern_indicators.html",
    ),
    Step(
        "cin-factors",
        "Which Children in Need factors are relevant?",
        keys=("cin_factors",),
        template="web/concern_cin.html",
    ),
    Step(
        "grading",
        "Intelligence grading (3x5x2)",
        keys=("grading",),
        template="web/concern_grading.html",
        police_only=True,
    ),
)

GRADING_CHOICES = {
    "source": _choices(GRADING_SOURCE),
    "intelligence": _choices(GRADING_INTELLIGENCE),
    "handling": _choices(GRADING_HANDLING),
}
CIN_CHOICES = _choices(CIN_FACTORS)


def steps_for(role: str) -> list[Step]:
    """The pages this person answers: the grading only for police officers."""
    return [s for s in STEPS if not s.police_only or role == "police_officer"]


def step_for_field(path: str) -> str:
    """The slug of the page that asks the question at ``path`` (``persons[1].names``)."""
    key = re.split(r"[\[.]", path, maxsplit=1)[0]
    for step in STEPS:
        if key in step.keys:
            return step.slug
    return STEPS[0].slug


def html_id(path: str, draft: Mapping[str, Any] | None = None) -> str:
    """The id of the field a problem path names, for the error summary's link."""
    match = re.fullmatch(r"(\w+)\[(\d+)\](?:\.(\w+))?", path)
    if match is None:
        if path == "grading":
            return "grading-source"
        if path == "cin_factors":
            return "cin_factors"
        return path
    key, index, name = match.group(1), int(match.group(2)), match.group(3)
    if key == "phones":
        return f"phones-{index}-number"
    if key == "cin_factors":
        return "cin_factors"
    if key == "indicators":
        seen = (draft or {}).get("indicators", [])
        if index < len(seen):
            return f"indicator-{seen[index]['indicator_id']}"
        return "indicators"
    if name in {"date_of_birth", "occurred_on"}:
        return f"{key}-{index}-{name}-day"
    return f"{key}-{index}-{name}"


def empty_session_draft() -> dict[str, Any]:
    return {
        "children": [],
        "narrative": "",
        "occurred_on": None,
        "occurred_where": "",
        "persons": [],
        "vehicles": [],
        "phones": [],
        "places": [],
        "indicators": [],
        "cin_factors": [],
        "grading": None,
    }


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def draft_from_session(stored: Mapping[str, Any], *, channel: str = "practitioner") -> ConcernDraft:
    """The :class:`ConcernDraft` a session's answers make."""
    grading = stored.get("grading")
    return ConcernDraft(
        children=[
            ChildDraft(**{**child, "date_of_birth": _day(child.get("date_of_birth"))})
            for child in stored.get("children", [])
        ],
        narrative=stored.get("narrative", ""),
        occurred_on=_day(stored.get("occurred_on")),
        occurred_where=stored.get("occurred_where", ""),
        persons=[PersonDraft(**person) for person in stored.get("persons", [])],
        vehicles=[VehicleDraft(**vehicle) for vehicle in stored.get("vehicles", [])],
        phones=list(stored.get("phones", [])),
        places=[PlaceDraft(**place) for place in stored.get("places", [])],
        indicators=[
            IndicatorSeen(seen["indicator_id"], date.fromisoformat(seen["seen_on"]))
            for seen in stored.get("indicators", [])
            if seen.get("seen_on")
        ],
        cin_factors=list(stored.get("cin_factors", [])),
        grading=Grading(**grading) if grading else None,
        channel=channel,
    )


@dataclass
class StepAnswers:
    """What one page's answers did to the draft, and the problems reading them."""

    draft: dict[str, Any]
    problems: list[FieldProblem] = field(default_factory=list)


def read_date(
    form: Mapping[str, str], prefix: str, path: str, problems: list[FieldProblem]
) -> str | None:
    """A GOV.UK date input (``<prefix>-day``, ``-month``, ``-year``) as ISO, or None if blank."""
    parts = [form.get(f"{prefix}-{part}", "").strip() for part in ("day", "month", "year")]
    if not any(parts):
        return None
    try:
        day, month, year = (int(p) for p in parts)
        if year < 1900:
            raise ValueError("year")
        return date(year, month, day).isoformat()
    except ValueError:
        problems.append(FieldProblem(path, "Enter a real date, with day, month and year"))
        return None


def _read_number(text: str, path: str, problems: list[FieldProblem]) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        problems.append(FieldProblem(path, "Enter the age as a whole number, like 14"))
        return None
    return int(text)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _blank(form: Mapping[str, str], prefix: str, step: Step) -> bool:
    for spec in step.fields:
        if spec.kind == "select":
            continue
        if spec.kind == "date":
            if any(
                form.get(f"{prefix}-{spec.name}-{p}", "").strip() for p in ("day", "month", "year")
            ):
                return False
        elif form.get(f"{prefix}-{spec.name}", "").strip():
            return False
    return True


def slot_count(form: Mapping[str, str], key: str) -> int:
    try:
        return max(0, min(int(form.get(f"{key}-count", "1")), 20))
    except ValueError:
        return 1


def read_step(
    step: Step, form: Mapping[str, str], stored: Mapping[str, Any], indicator_ids: list[str]
) -> StepAnswers:
    """Apply one page's posted answers to a copy of the stored draft."""
    draft = {**empty_session_draft(), **stored}
    problems: list[FieldProblem] = []
    if step.list_key is not None:
        entries: list[Any] = []
        for slot in range(slot_count(form, step.list_key)):
            prefix = f"{step.list_key}-{slot}"
            if _blank(form, prefix, step):
                continue
            index = len(entries)
            path = f"{step.list_key}[{index}]"
            entries.append(_read_entry(step, form, prefix, path, problems))
        draft[step.list_key] = entries
    elif step.slug == "what-happened":
        draft["narrative"] = form.get("narrative", "")
        draft["occurred_where"] = form.get("occurred_where", "")
        draft["occurred_on"] = read_date(form, "occurred_on", "occurred_on", problems)
    elif step.slug == "indicators":
        chosen = [i for i in indicator_ids if i in _getlist(form, "indicator")]
        seen = []
        for position, indicator_id in enumerate(chosen):
            on = read_date(form, f"seen-{indicator_id}", f"indicators[{position}]", problems)
            if on is None and not any(p.field == f"indicators[{position}]" for p in problems):
                problems.append(
                    FieldProblem(
                        f"indicators[{position}]",
                        "Enter the date this was last seen (your best estimate if unsure)",
                    )
                )
            seen.append({"indicator_id": indicator_id, "seen_on": on or ""})
        draft["indicators"] = seen
    elif step.slug == "cin-factors":
        draft["cin_factors"] = [c for c in CIN_FACTORS if c in _getlist(form, "cin_factors")]
    elif step.slug == "grading":
        parts = {k: form.get(f"grading-{k}", "") for k in ("source", "intelligence", "handling")}
        if any(parts.values()) and not all(parts.values()):
            problems.append(
                FieldProblem("grading", "Grade all three: source, intelligence and handling")
            )
        draft["grading"] = parts if all(parts.values()) else None
    return StepAnswers(draft, problems)


def _getlist(form: Mapping[str, str], name: str) -> list[str]:
    getlist = getattr(form, "getlist", None)
    if getlist is not None:
        return list(getlist(name))
    value = form.get(name)
    return [value] if value else []


def _read_entry(
    step: Step, form: Mapping[str, str], prefix: str, path: str, problems: list[FieldProblem]
) -> Any:
    if step.list_key == "phones":
        return form.get(f"{prefix}-number", "").strip()
    entry: dict[str, Any] = {}
    for spec in step.fields:
        raw = form.get(f"{prefix}-{spec.name}", "")
        where = f"{path}.{spec.name}"
        if spec.kind == "date":
            entry[spec.name] = read_date(form, f"{prefix}-{spec.name}", where, problems)
        elif spec.kind == "number":
            entry[spec.name] = _read_number(raw, where, problems)
        elif spec.kind == "list":
            entry[spec.name] = _split(raw)
        else:
            entry[spec.name] = raw.strip() or spec.default
    return entry


def values_for_step(step: Step, stored: Mapping[str, Any]) -> dict[str, Any]:
    """The form's field values (by HTML name) from the stored draft, to show on a GET."""
    values: dict[str, Any] = {}
    if step.list_key is not None:
        entries = stored.get(step.list_key, [])
        values[f"{step.list_key}-count"] = str(max(len(entries), 1))
        for slot, entry in enumerate(entries):
            prefix = f"{step.list_key}-{slot}"
            if step.list_key == "phones":
                values[f"{prefix}-number"] = entry
                continue
            for spec in step.fields:
                _put(values, f"{prefix}-{spec.name}", spec, entry.get(spec.name))
    elif step.slug == "what-happened":
        values["narrative"] = stored.get("narrative", "")
        values["occurred_where"] = stored.get("occurred_where", "")
        _put(
            values,
            "occurred_on",
            FieldSpec("occurred_on", "", kind="date"),
            stored.get("occurred_on"),
        )
    elif step.slug == "indicators":
        values["indicator"] = [s["indicator_id"] for s in stored.get("indicators", [])]
        for seen in stored.get("indicators", []):
            spec = FieldSpec("seen", "", kind="date")
            _put(values, f"seen-{seen['indicator_id']}", spec, seen.get("seen_on"))
    elif step.slug == "cin-factors":
        values["cin_factors"] = list(stored.get("cin_factors", []))
    elif step.slug == "grading":
        for key, value in (stored.get("grading") or {}).items():
            values[f"grading-{key}"] = value
    return values


def _put(values: dict[str, Any], name: str, spec: FieldSpec, value: Any) -> None:
    if spec.kind == "date":
        if value:
            day = date.fromisoformat(value)
            values[f"{name}-day"], values[f"{name}-month"], values[f"{name}-year"] = (
                str(day.day),
                str(day.month),
                str(day.year),
            )
    elif spec.kind == "list":
        values[name] = ", ".join(value or [])
    elif value is None:
        values[name] = ""
    else:
        values[name] = str(value)


def form_values(form: Any) -> dict[str, Any]:
    """A posted form as the values a page re-displays (lists for multi-valued names)."""
    values: dict[str, Any] = {}
    for name in form:
        items = form.getlist(name)
        values[name] = items if name in {"indicator", "cin_factors"} else items[-1]
    return values


def problems_for_step(
    step: Step, problems: list[FieldProblem], draft: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """(field id, message) for each problem that belongs on this page, in order."""
    return [
        (html_id(p.field, draft), p.message)
        for p in problems
        if step_for_field(p.field) == step.slug
    ]
