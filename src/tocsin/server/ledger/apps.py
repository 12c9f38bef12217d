from django.apps import AppConfig


class LedgerConfig(AppConfig):
    """Ledger storage (leaves, subtree hashes, payloads, head) and retention projections."""

    name = "tocsin.server.ledger"
    label = "ledger"

    def ready(self) -> None:
        from tocsin.server.ledger import appliers  # noqa: F401  (registers appliers)
