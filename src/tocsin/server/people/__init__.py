"""People across concerns (issue 15): person records, candidate matches, the already-known
check and search. See docs/linkage.md."""
