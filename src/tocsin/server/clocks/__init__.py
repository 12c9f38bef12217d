"""The clocks in the server: the sweep that runs the clock engine over the ledger and appends
escalations, the escalations as a projection, and the obligations the engine holds open (a
cache of the engine's state, rebuilt from the ledger whenever it is missing or stale)."""
