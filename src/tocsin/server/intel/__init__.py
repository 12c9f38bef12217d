"""Intelligence in the server: the agencies' lists built from the concerns, and estimates of
the hidden number recorded on the ledger."""
