"""Tocsin: a multi-agency safeguarding system whose every write goes through a
tamper-evident ledger."""

__version__ = "0.1.0"
