"""The ledger as C2SP tlog-tiles, read-only, at ``/ledger/tlog/`` (docs/witness.md).

Only the checkpoint and hash tiles are served; entry bundles are not, because entries are
confidential. Hash tiles hold subtree hashes, which reveal nothing: every leaf includes a
salted commitment nobody can guess. Tiles are cut at the newest signed checkpoint, so a
monitor sees exactly the tree the log signed.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.views.decorators.http import require_GET

from tocsin.ledger import TILE_WIDTH, TileError, hash_tile, parse_tile_path
from tocsin.server.ledger.checkpoints import latest_checkpoint
from tocsin.server.ledger.recording import reading_ledger


def _text(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")


@require_GET
def checkpoint(request: HttpRequest) -> HttpResponse:
    """The newest signed checkpoint, with its cosignatures."""
    latest = latest_checkpoint()
    if latest is None:
        return _text("no checkpoint has been signed yet\n", status=404)
    response = _text(latest.note)
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def tile(request: HttpRequest, path: str) -> HttpResponse:
    """A hash tile, full or partial, as of the newest signed checkpoint."""
    if path.startswith("entries/"):
        return HttpResponseNotFound(
            "entry bundles are not published: Tocsin's entries are confidential\n",
            content_type="text/plain; charset=utf-8",
        )
    latest = latest_checkpoint()
    if latest is None:
        return _text("no checkpoint has been signed yet\n", status=404)
    try:
        level, index, width = parse_tile_path(f"tile/{path}")
        body = hash_tile(level, index, latest.size, reading_ledger().store.read_nodes, width)
    except TileError as exc:
        return _text(f"{exc}\n", status=404)
    response = HttpResponse(body, content_type="application/octet-stream")
    # A full tile never changes; a partial one is replaced once the tile fills.
    response["Cache-Control"] = (
        "public, max-age=31536000, immutable" if width == TILE_WIDTH else "no-cache"
    )
    return response
