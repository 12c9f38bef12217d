"""Data files for the simulator: name lists, places and the victim-blaming phrase table."""
