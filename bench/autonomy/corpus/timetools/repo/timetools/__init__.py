"""Date and duration helpers for the scheduling service."""
