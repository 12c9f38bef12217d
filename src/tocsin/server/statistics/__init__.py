"""Official statistics from the ledger at a signed checkpoint: reading the events, who may see
which audience's figures, and exports recorded on the ledger (docs/statistics.md)."""
