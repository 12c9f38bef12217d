"""The agencies' lists for multiple systems estimation, as a capture table.

Pure core (no Django). The server reads which children are on which agency's list; this turns
those memberships into counts of capture histories, after asking a :class:`PersonResolver`
which child records are the same child::

    lists = build_capture_lists([("Police", "c1"), ("Council", "c1"), ("Council", "c2")])
    table = lists.table()          # a tocsin.intel.estimate.CaptureTable
    capture_csv(table)             # the CSV that ``tocsin estimate --csv`` reads

The default resolver (:data:`SAME_CHILD_RECORD`) treats each child record as a child of its
own; cross-agency person resolution will plug in here. See ``docs/estimation.md``.

:func:`upset_chart` lays out the lists' overlaps (a capture table's histories) as an UpSet
chart, every size and position computed here, for the estimate page to draw as SVG.
"""

from ._lists import (
    SAME_CHILD_RECORD,
    CaptureLists,
    PersonResolver,
    SameChildRecord,
    build_capture_lists,
    capture_csv,
)
from ._upset import UpsetChart, lists_in_words, upset_chart

__all__ = [
    "SAME_CHILD_RECORD",
    "CaptureLists",
    "PersonResolver",
    "SameChildRecord",
    "UpsetChart",
    "build_capture_lists",
    "capture_csv",
    "lists_in_words",
    "upset_chart",
]
