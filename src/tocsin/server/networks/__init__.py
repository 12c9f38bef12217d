"""Networks in the server (issue 16): the POLE graph built from the concern projections, the
pattern alerts that the clocks policy's ``[[patterns]]`` rules raise as concerns, and the
network view (docs/networks.md, "In the server")."""
