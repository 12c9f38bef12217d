"""tocsin networks: the POLE graph of every concern, its networks, the adults linked to the
most children, the places children are linked to; with --alert, the pattern alerts raised."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from tocsin.domain.clocks import ClockPolicyError
from tocsin.server.actors import ActionRefused, SystemActor
from tocsin.server.cli.base import TocsinCommand, UsageError, non_negative, operator
from tocsin.server.networks.alerts import alert_summaries, do_raise_pattern_alerts
from tocsin.server.networks.picture import NetworkFilters, network_picture, record_shown
from tocsin.server.reads import read_scope


def day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{text!r} is not a date (YYYY-MM-DD)") from None


class Command(TocsinCommand):
    help = (
        "The network of people, vehicles, phones and places named in the concerns: its "
        "components, the networks Leiden finds (each holding a child and an adult, vehicle, "
        "phone or place), the adults linked to the most children, and the places children are "
        "linked to. With --alert, evaluate the clocks policy's [[patterns]] rules and raise a "
        "concern (channel 'pattern', for the front door) for each pattern that is new or has "
        "grown since its last alert; run it on a schedule beside 'tocsin escalate'. What it "
        "prints about children is recorded as read (record.viewed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", type=day, help="only concerns that happened on or after")
        parser.add_argument("--until", type=day, help="only concerns that happened on or before")
        parser.add_argument("--as-of", type=day, help="the day to weigh recency from (today)")
        parser.add_argument("--seed", type=non_negative, default=0, help="Leiden's seed (0)")
        parser.add_argument("--top", type=non_negative, default=10, help="adults and places shown")
        parser.add_argument(
            "--alert", action="store_true", help="raise the pattern alerts that are due"
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = options["as_of"] or timezone.localdate()
        if as_of > timezone.localdate():
            raise UsageError("--as-of is in the future")
        filters = NetworkFilters(since=options["since"], until=options["until"])
        if filters.since and filters.until and filters.since > filters.until:
            raise UsageError("--until is before --since")
        viewer = SystemActor(f"cli:{operator()}")
        with self.progress() as progress:
            alerts: list[dict[str, object]] | None = None
            if options["alert"]:
                try:
                    run = do_raise_pattern_alerts(
                        as_of=as_of, seed=options["seed"], progress=progress
                    )
                except (ActionRefused, ClockPolicyError) as exc:
                    raise UsageError(str(exc)) from None
                alerts = list(alert_summaries(run))
            progress("detecting networks", 0, 1)
            with read_scope(viewer, "tocsin networks"):
                picture = network_picture(
                    filters, as_of=as_of, seed=options["seed"], with_layout=False
                )
                record_shown(picture, concerns=False)
            progress("detecting networks", 1, 1)
        labels = {n.id: n.label for n in picture.graph.nodes}
        top = options["top"]
        found = picture.detection
        result: dict[str, Any] = {
            "as_of": as_of.isoformat(),
            "entities": len(picture.graph.node_ids),
            "links": picture.graph.graph.ecount(),
            "concerns": len(picture.graph.evidence),
            "components": len(found.components),
            "largest_component": len(found.components[0]) if found.components else 0,
            # The γ the networks were found with (it grows with the graph; docs/networks.md).
            "resolution": round(found.resolution, 6),
            "networks": [
                {
                    "network": f"N{i}",
                    "children": len(n.children),
                    "adults": len(n.adults),
                    "vehicles": len(n.vehicles),
                    "phones": len(n.phones),
                    "places": len(n.places),
                    "concerns": n.concerns,
                    "reporters": n.reporters,
                    "agencies": n.agencies,
                    "flags": sorted(n.flags),
                }
                for i, n in enumerate(found.networks, start=1)
            ],
            "top_adults": [
                {
                    "adult": labels[a.node],
                    "children": a.children,
                    "reporters": a.reporters,
                    "agencies": a.agencies,
                    "betweenness": round(a.betweenness, 6),
                    "network": picture.network_of.get(a.node, ""),
                }
                for a in found.adults[:top]
            ],
            "hotspots": [
                {
                    "place": labels[h.node],
                    "children": h.children,
                    "reporters": h.reporters,
                    "agencies": h.agencies,
                }
                for h in found.hotspots[:top]
            ],
        }
        if alerts is not None:
            result["alerts"] = alerts
        if options["json"]:
            self.emit_json(result)
            return
        self.stdout.write(picture.summary())
        self.stdout.write(
            f"{result['components']} components (the largest {result['largest_component']} "
            f"entities); {len(result['networks'])} networks (modularity, γ "
            f"{result['resolution']:g})."
        )
        for net in result["networks"][:top]:
            self.stdout.write(
                f"  {net['network']}: {net['children']} children, {net['adults']} adults, "
                f"{net['vehicles']} vehicles, {net['phones']} phones, {net['places']} places; "
                f"{net['concerns']} concerns from {net['reporters']} reporters in "
                f"{net['agencies']} agencies"
            )
        if result["top_adults"]:
            self.stdout.write("Adults linked to the most children:")
        for adult in result["top_adults"]:
            self.stdout.write(
                f"  {adult['adult']}: {adult['children']} children, {adult['reporters']} "
                f"independent reporters, {adult['agencies']} agencies"
                + (f", network {adult['network']}" if adult["network"] else "")
            )
        if result["hotspots"]:
            self.stdout.write("Places linked to the most children:")
        for spot in result["hotspots"]:
            self.stdout.write(f"  {spot['place']}: {spot['children']} children")
        if alerts is not None:
            self.stdout.write(f"Pattern alerts raised: {len(alerts)}.")
            for alert in alerts:
                grown = (
                    f" (grown from {alert['previous_children']})"
                    if alert["previous_children"]
                    else ""
                )
                self.stdout.write(
                    f"  {alert['concern']}: {alert['rule']}, {alert['subject']}, "
                    f"{alert['children']} children{grown}"
                )
