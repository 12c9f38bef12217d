"""The event that records an export of the statistics: who took which figures, at which
checkpoint, for which audience, in which format."""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.domain.events import Event

__all__ = ["EXPORT_FORMATS", "StatisticsExported"]

#: Formats the statistics are exported in.
EXPORT_FORMATS: dict[str, str] = {"csv": "CSV", "xlsx": "Excel workbook (XLSX)"}


@dataclass(frozen=True)
class StatisticsExported(Event):
    kind = "statistics.exported"
    meaning = (
        "Someone exported the official statistics (CSV or XLSX) computed at a checkpoint, for "
        "an audience (suppressed or not); the digest of the file is kept, so a copy can be "
        "checked against it."
    )
    export_id: str
    format: str
    checkpoint_size: int
    checkpoint_root: str
    period: str
    audience: str
    #: SHA-256 of the exported file, hex.
    digest: str

    def subjects(self) -> tuple[str, ...]:
        return (f"statistics_export:{self.export_id}",)
