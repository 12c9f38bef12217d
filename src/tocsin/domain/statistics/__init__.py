"""Official statistics from the ledger (issue 17): figures computed from the events up to a
signed checkpoint, reproducibly, with small counts suppressed for every audience that does not
see every concern. Plain Python; imports nothing from Django.

- :func:`compute_figures` reads :class:`LedgerEvent` s (ledger order) into :class:`Figures`.
- :func:`suppress` hides small counts of a table with its totals, and enough others that none
  can be worked out from what is shown.
- :func:`document` makes the figures into a document for an :class:`Audience`, named by its
  checkpoint; :func:`to_json`, :func:`to_csv` and :func:`to_xlsx` write it out.
- :func:`bar_chart` lays out a figure's chart for a page to draw as SVG.
- :class:`StatisticsExported` records an export on the ledger.
- :func:`profile_document` makes the figures into a problem profile (always suppressed);
  :func:`due_profile_label` says which profile the schedule wants.

docs/statistics.md describes every figure and the suppression rule.
"""

from tocsin.domain.statistics._charts import Bar, BarChart, bar_chart
from tocsin.domain.statistics._events import EXPORT_FORMATS, StatisticsExported
from tocsin.domain.statistics._figures import (
    PERIODS,
    Figure,
    Figures,
    LedgerEvent,
    Regrading,
    compute_figures,
    payload_kinds,
    period_of,
)
from tocsin.domain.statistics._profiles import (
    HIDDEN_NUMBER_CAVEATS,
    PROFILE_SECTIONS,
    ProfileDocument,
    due_profile_label,
    previous_period,
    profile_document,
    profile_json,
)
from tocsin.domain.statistics._publishing import (
    AUDIENCES,
    SUPPRESSED_MARK,
    Audience,
    StatisticsDocument,
    document,
    to_csv,
    to_json,
    to_xlsx,
)
from tocsin.domain.statistics._stored import figures_from_json, figures_to_json
from tocsin.domain.statistics._suppression import SuppressedTable, suppress

__all__ = [
    "AUDIENCES",
    "EXPORT_FORMATS",
    "HIDDEN_NUMBER_CAVEATS",
    "PERIODS",
    "PROFILE_SECTIONS",
    "SUPPRESSED_MARK",
    "Audience",
    "Bar",
    "BarChart",
    "Figure",
    "Figures",
    "LedgerEvent",
    "ProfileDocument",
    "Regrading",
    "StatisticsDocument",
    "StatisticsExported",
    "SuppressedTable",
    "bar_chart",
    "compute_figures",
    "document",
    "due_profile_label",
    "figures_from_json",
    "figures_to_json",
    "payload_kinds",
    "period_of",
    "previous_period",
    "profile_document",
    "profile_json",
    "suppress",
    "to_csv",
    "to_json",
    "to_xlsx",
]
