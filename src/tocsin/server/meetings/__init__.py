"""Meetings about a concern: strategy discussions, initial child protection conferences and
MACE panels, their attendees, decisions and actions (each action on a clock of its own)."""
