"""The practitioner's concern form as question pages ("steps"): one class per kind of page,
each owning how it reads its posted answers into the draft, the values it shows again, the id
of the field a problem belongs to, and the free text its language warnings are about; and the
draft kept between pages.

Framework-free: a posted form is any mapping of names to strings (a ``getlist`` method, as
Django's ``QueryDict`` has, is used where a name holds several values), so the engine lives
in the core and is tested without a server. The views in ``tocsin.server.web.concern_form``
keep the draft in the session, render ``step.template`` and ask the steps everything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from tocsin.domain import screening
from tocsin.domain.bounds import day_from_parts, whole_number
from tocsin.domain.concerns._codes import (
    CIN_FACTORS,
    ETHNICITY,
    GRADING_HANDLING,
    GRADING_INTELLIGENCE,
    GRADING_SOURCE,
    NOT_KNOWN,
    SEXES,
)
from tocsin.domain.concerns._draft import (
    ChildDraft,
    ConcernDraft,
    FieldProblem,
    Grading,
    IndicatorSeen,
    PersonDraft,
    PlaceDraft,
    VehicleDraft,
)
from tocsin.domain.concerns._suggesting import CinSuggestion, suggested_cin_factors

__all__ = [
    "CIN_CHOICES",
    "GRADING_CHOICES",
    "NO_CHILD_CHOSEN",
    "STEPS",
    "ChildrenStep",
    "CinFactorsStep",
    "FieldSpec",
    "GradingStep",
    "IndicatorsStep",
    "ListStep",
    "PersonsStep",
    "PhonesStep",
    "Step",
    "StepAnswers",
    "WhatHappenedStep",
    "draft_from_session",
    "empty_session_draft",
    "form_values",
    "html_id",
    "problems_for_step",
    "read_date",
    "slot_count",
    "step_for_field",
    "steps_for",
]

_Checked = TypeVar("_Checked")
_INDEXED = re.compile(r"(\w+)\[(\d+)\](?:\.(\w+))?")


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


@dataclass
class StepAnswers:
    """What one page's answers did to the draft, and the problems reading them."""

    draft: dict[str, Any]
    problems: list[FieldProblem] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    """One question page: its address (``slug``), its wording, the draft keys it answers
    (``keys``), the template that draws it, and whether only police officers see it.

    Each kind of page is a subclass that reads its answers (:meth:`read_into`), shows them
    again (:meth:`values`), names the field a problem belongs to (:meth:`html_id`) and says
    which of its free text the language check reads (:meth:`free_text`).
    """

    slug: str
    title: str
    caption: str = ""
    keys: tuple[str, ...] = ()
    template: str = "web/concern_step.html"
    hint: str = ""
    police_only: bool = False
    #: A list in the draft asked one fieldset per entry (list pages only).
    list_key: str | None = None
    noun: str = ""
    fields: tuple[FieldSpec, ...] = ()

    def read(self, form: Mapping[str, str], stored: Mapping[str, Any]) -> StepAnswers:
        """Apply this page's posted answers to a copy of the stored draft."""
        answers = StepAnswers({**empty_session_draft(), **stored})
        self.read_into(form, answers.draft, answers.problems)
        return answers

    def read_into(
        self, form: Mapping[str, str], draft: dict[str, Any], problems: list[FieldProblem]
    ) -> None:
        """Write this page's answers into ``draft``, adding a problem for each that cannot be
        read."""
        raise NotImplementedError

    def values(self, stored: Mapping[str, Any]) -> dict[str, Any]:
        """The form's field values (by HTML name) from the stored draft, to show on a GET."""
        raise NotImplementedError

    def owns(self, path: str) -> bool:
        """Whether the question at ``path`` (``persons[1].names``) is asked on this page."""
        return re.split(r"[\[.]", path, maxsplit=1)[0] in self.keys

    def html_id(self, path: str, stored: Mapping[str, Any]) -> str:
        """The id of the field a problem at ``path`` belongs to, for the error summary."""
        match = _INDEXED.fullmatch(path)
        if match is None:
            return path
        key, index, name = match.group(1), int(match.group(2)), match.group(3)
        if name in {"date_of_birth", "occurred_on"}:
            return f"{key}-{index}-{name}-day"
        return f"{key}-{index}-{name}"

    def free_text(self, stored: Mapping[str, Any]) -> dict[str, str]:
        """The free text already on this page that the language check reads, by field name."""
        return {}

    def applies(self, stored: Mapping[str, Any]) -> bool:
        """Whether the question is asked of this draft (a page may not apply, such as the
        screening when no child is known yet)."""
        return True

    def shows(self, problem: FieldProblem, stored: Mapping[str, Any]) -> bool:
        """Whether a problem this page owns is shown on it (the page may ask the question in
        its own words)."""
        return True

    def prompts(self, stored: Mapping[str, Any]) -> list[CinSuggestion]:
        """What the page asks the person to consider, from earlier answers."""
        return []

    def warnings(
        self, stored: Mapping[str, Any], check: Callable[[str], _Checked]
    ) -> dict[str, _Checked]:
        """``check`` (the language check, laid out as the page shows it) over this page's
        free text, by field name."""
        return {name: check(text) for name, text in self.free_text(stored).items()}


@dataclass(frozen=True)
class ListStep(Step):
    """A page asking about a list of things (children, people, vehicles, places), one
    fieldset per entry; blank fieldsets are dropped."""

    def read_into(
        self, form: Mapping[str, str], draft: dict[str, Any], problems: list[FieldProblem]
    ) -> None:
        assert self.list_key is not None
        entries: list[Any] = []
        for slot in range(slot_count(form, self.list_key)):
            prefix = f"{self.list_key}-{slot}"
            if self._blank(form, prefix):
                continue
            path = f"{self.list_key}[{len(entries)}]"
            entries.append(self.read_entry(form, prefix, path, problems))
        draft[self.list_key] = entries

    def _blank(self, form: Mapping[str, str], prefix: str) -> bool:
        for spec in self.fields:
            if spec.kind == "select":
                continue
            if spec.kind == "date":
                if any(
                    form.get(f"{prefix}-{spec.name}-{p}", "").strip()
                    for p in ("day", "month", "year")
                ):
                    return False
            elif form.get(f"{prefix}-{spec.name}", "").strip():
                return False
        return True

    def read_entry(
        self, form: Mapping[str, str], prefix: str, path: str, problems: list[FieldProblem]
    ) -> Any:
        """One fieldset's answers as an entry of the list."""
        entry: dict[str, Any] = {}
        for spec in self.fields:
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

    def values(self, stored: Mapping[str, Any]) -> dict[str, Any]:
        assert self.list_key is not None
        entries = stored.get(self.list_key, [])
        values: dict[str, Any] = {f"{self.list_key}-count": str(max(len(entries), 1))}
        for slot, entry in enumerate(entries):
            self.entry_values(values, f"{self.list_key}-{slot}", entry)
        return values

    def entry_values(self, values: dict[str, Any], prefix: str, entry: Any) -> None:
        """One entry's values, by HTML name, into ``values``."""
        for spec in self.fields:
            _put(values, f"{prefix}-{spec.name}", spec, entry.get(spec.name))


#: The children page's own problem when it is left blank without saying no child is known.
NO_CHILD_CHOSEN = (
    "Enter what you know about the child, or select 'No child is known yet' if the concern is "
    "about an adult, vehicle, phone or place"
)


@dataclass(frozen=True)
class ChildrenStep(ListStep):
    """The children, named or described; or that no child is known yet (an agency's
    intelligence about an adult, vehicle, phone or place), which the page asks as a
    checkbox after the fieldsets. Each child's description is free text the language check
    reads."""

    def read_into(
        self, form: Mapping[str, str], draft: dict[str, Any], problems: list[FieldProblem]
    ) -> None:
        super().read_into(form, draft, problems)
        no_child = form.get("no_child", "") == "yes"
        if draft["children"] and no_child:
            problems.append(
                FieldProblem(
                    "no_child",
                    "You have described a child and selected 'No child is known yet': "
                    "clear one of them",
                )
            )
        elif not draft["children"] and not no_child:
            problems.append(FieldProblem("children", NO_CHILD_CHOSEN))
        draft["no_child"] = no_child and not draft["children"]

    def values(self, stored: Mapping[str, Any]) -> dict[str, Any]:
        values = super().values(stored)
        values["no_child"] = "yes" if stored.get("no_child") else ""
        return values

    def shows(self, problem: FieldProblem, stored: Mapping[str, Any]) -> bool:
        # Whether a concern may have no child is the page's own question, asked in its own
        # words; with "No child is known yet" ticked, check your answers asks for the adult,
        # vehicle, phone or place if none follows.
        return problem.field != "children" or problem.message == NO_CHILD_CHOSEN

    def html_id(self, path: str, stored: Mapping[str, Any]) -> str:
        if path == "children":
            return "children-0-given_name"
        return super().html_id(path, stored)

    def free_text(self, stored: Mapping[str, Any]) -> dict[str, str]:
        return {
            f"children-{i}-description": c.get("description", "")
            for i, c in enumerate(stored.get("children", []))
        }


def _about_a_child(step: Step, stored: Mapping[str, Any]) -> bool:
    """Screening and the Children in Need factors are about a child: not asked once the
    person has said no child is known yet, unless answers were given before (so that they
    can be removed)."""
    return not stored.get("no_child") or any(bool(stored.get(key)) for key in step.keys)


@dataclass(frozen=True)
class PersonsStep(ListStep):
    """People of concern: each description is free text the language check reads."""

    def free_text(self, stored: Mapping[str, Any]) -> dict[str, str]:
        return {
            f"persons-{i}-description": p.get("description", "")
            for i, p in enumerate(stored.get("persons", []))
        }


@dataclass(frozen=True)
class PhonesStep(ListStep):
    """Phone numbers: each entry is the number itself, not a record of fields."""

    def read_entry(
        self, form: Mapping[str, str], prefix: str, path: str, problems: list[FieldProblem]
    ) -> Any:
        return form.get(f"{prefix}-number", "").strip()

    def entry_values(self, values: dict[str, Any], prefix: str, entry: Any) -> None:
        values[f"{prefix}-number"] = entry

    def html_id(self, path: str, stored: Mapping[str, Any]) -> str:
        match = _INDEXED.fullmatch(path)
        if match is None:
            return path
        return f"phones-{int(match.group(2))}-number"


@dataclass(frozen=True)
class WhatHappenedStep(Step):
    """What happened, when and where: the narrative and the place are free text."""

    def read_into(
        self, form: Mapping[str, str], draft: dict[str, Any], problems: list[FieldProblem]
    ) -> None:
        draft["narrative"] = form.get("narrative", "")
        draft["occurred_where"] = form.get("occurred_where", "")
        draft["occurred_on"] = read_date(form, "occurred_on", "occurred_on", problems)

    def values(self, stored: Mapping[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {
            "narrative": stored.get("narrative", ""),
            "occurred_where": stored.get("occurred_where", ""),
        }
        _put(
            values,
            "occurred_on",
            FieldSpec("occurred_on", "", kind="date"),
            stored.get("occurred_on"),
        )
        return values

    def free_text(self, stored: Mapping[str, Any]) -> dict[str, str]:
        return {
            "narrative": stored.get("narrative", ""),
            "occurred_where": stored.get("occurred_where", ""),
        }


@dataclass(frozen=True)
class IndicatorsStep(Step):
    """The screening indicators seen, each with the date it was last seen, in the order of
    the scheme in force."""

    def read_into(
        self, form: Mapping[str, str], draft: dict[str, Any], problems: list[FieldProblem]
    ) -> None:
        chosen_names = _getlist(form, "indicator")
        chosen = [i.id for i in screening.scheme().indicators if i.id in chosen_names]
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

    def values(self, stored: Mapping[str, Any]) -> dict[str, Any]:
        seen = stored.get("indicators", [])
        values: dict[str, Any] = {"indicator": [s["indicator_id"] for s in seen]}
        for one in seen:
            spec = FieldSpec("seen", "", kind="date")
            _put(values, f"seen-{one['indicator_id']}", spec, one.get("seen_on"))
        return values

    def html_id(self, path: str, stored: Mapping[str, Any]) -> str:
        match = _INDEXED.fullmatch(path)
        if match is None:
            return path
        index = int(match.group(2))
        seen = stored.get("indicators", [])
        if index < len(seen):
            return f"indicator-{seen[index]['indicator_id']}"
        return "indicators"

    def applies(self, stored: Mapping[str, Any]) -> bool:
        return _about_a_child(self, stored)


@dataclass(frozen=True)
class CinFactorsStep(Step):
    """The Children in Need factors that are relevant (checkboxes)."""

    def read_into(
        self, form: Mapping[str, str], draft: dict[str, Any], problems: list[FieldProblem]
    ) -> None:
        draft["cin_factors"] = [c for c in CIN_FACTORS if c in _getlist(form, "cin_factors")]

    def values(self, stored: Mapping[str, Any]) -> dict[str, Any]:
        return {"cin_factors": list(stored.get("cin_factors", []))}

    def html_id(self, path: str, stored: Mapping[str, Any]) -> str:
        return "cin_factors"

    def applies(self, stored: Mapping[str, Any]) -> bool:
        return _about_a_child(self, stored)

    def prompts(self, stored: Mapping[str, Any]) -> list[CinSuggestion]:
        """The exploitation factors (11A, 24A) the indicators seen suggest and that are not
        ticked: the page asks the person to consider them, and ticks nothing itself."""
        seen = [one["indicator_id"] for one in stored.get("indicators", [])]
        return suggested_cin_factors(seen, stored.get("cin_factors", []))


@dataclass(frozen=True)
class GradingStep(Step):
    """The intelligence grading (3x5x2): all three parts, or none."""

    def read_into(
        self, form: Mapping[str, str], draft: dict[str, Any], problems: list[FieldProblem]
    ) -> None:
        parts = {k: form.get(f"grading-{k}", "") for k in ("source", "intelligence", "handling")}
        if any(parts.values()) and not all(parts.values()):
            problems.append(
                FieldProblem("grading", "Grade all three: source, intelligence and handling")
            )
        draft["grading"] = parts if all(parts.values()) else None

    def values(self, stored: Mapping[str, Any]) -> dict[str, Any]:
        return {f"grading-{key}": value for key, value in (stored.get("grading") or {}).items()}

    def html_id(self, path: str, stored: Mapping[str, Any]) -> str:
        return "grading-source" if path == "grading" else super().html_id(path, stored)


def _choices(codes: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(codes.items())


# "Not yet obtained" first: it is the honest default, never a guess.
_ETHNICITY_CHOICES = (
    (NOT_KNOWN, ETHNICITY[NOT_KNOWN]),
    *((code, label) for code, label in ETHNICITY.items() if code != NOT_KNOWN),
)

#: The pages, in the order they are asked (the registry: a slug names one page).
STEPS: tuple[Step, ...] = (
    ChildrenStep(
        "children",
        "Which child or children is the concern about?",
        list_key="children",
        noun="Child",
        keys=("children", "no_child"),
        hint="Give whatever you know. If you do not know the child's name, describe them: what "
        "they look like, their school, their age.",
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
            FieldSpec(
                "description",
                "What the child looks like",
                kind="textarea",
                hint="Anything that would help find them if the name is not known, for example "
                "'girl about 14 in a Northfield Academy blazer'",
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
    WhatHappenedStep(
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
    PersonsStep(
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
    ListStep(
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
    PhonesStep(
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
    ListStep(
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
    IndicatorsStep(
        "indicators",
        "Which screening indicators have been seen?",
        keys=("indicators",),
        template="web/concern_indicators.html",
    ),
    CinFactorsStep(
        "cin-factors",
        "Which Children in Need factors are relevant?",
        keys=("cin_factors",),
        template="web/concern_cin.html",
    ),
    GradingStep(
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


def steps_for(role: str, stored: Mapping[str, Any] | None = None) -> list[Step]:
    """The pages this person answers: the grading only for police officers; given the draft
    so far, only the pages that apply to it (no screening when no child is known yet)."""
    return [
        s
        for s in STEPS
        if (not s.police_only or role == "police_officer") and (stored is None or s.applies(stored))
    ]


def _owner(path: str) -> Step:
    return next((step for step in STEPS if step.owns(path)), STEPS[0])


def step_for_field(path: str) -> str:
    """The slug of the page that asks the question at ``path`` (``persons[1].names``)."""
    return _owner(path).slug


def html_id(path: str, draft: Mapping[str, Any] | None = None) -> str:
    """The id of the field a problem path names, for the error summary's link (the page that
    asks it decides)."""
    return _owner(path).html_id(path, draft or {})


def problems_for_step(
    step: Step, problems: list[FieldProblem], draft: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """(field id, message) for each problem that belongs on this page, in order."""
    return [
        (html_id(p.field, draft), p.message)
        for p in problems
        if _owner(p.field) is step and step.shows(p, draft)
    ]


def empty_session_draft() -> dict[str, Any]:
    """A draft with nothing answered, as the pages keep it between requests."""
    return {
        "children": [],
        "no_child": False,
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
    """The :class:`ConcernDraft` the pages' answers make."""
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


def read_date(
    form: Mapping[str, str], prefix: str, path: str, problems: list[FieldProblem]
) -> str | None:
    """A GOV.UK date input (``<prefix>-day``, ``-month``, ``-year``) as ISO, or None if blank."""
    parts = [form.get(f"{prefix}-{part}", "").strip() for part in ("day", "month", "year")]
    if not any(parts):
        return None
    day, problem = day_from_parts(*parts)
    if problem is not None or day is None:
        problems.append(FieldProblem(path, problem or "Enter a real date"))
        return None
    return day.isoformat()


def _read_number(text: str, path: str, problems: list[FieldProblem]) -> int | None:
    text = text.strip()
    if not text:
        return None
    number = whole_number(text)
    if number is None:
        problems.append(FieldProblem(path, "Enter the age as a whole number, like 14"))
    return number


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def slot_count(form: Mapping[str, Any], key: str) -> int:
    """How many fieldsets a list page shows (``<key>-count``; 1 to 20)."""
    try:
        return max(0, min(int(form.get(f"{key}-count", "1")), 20))
    except ValueError:
        return 1


def _getlist(form: Mapping[str, str], name: str) -> list[str]:
    getlist = getattr(form, "getlist", None)
    if getlist is not None:
        return list(getlist(name))
    value = form.get(name)
    return [value] if value else []


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
