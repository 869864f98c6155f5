"""Pricing code of the web shop. Money is always integer cents."""
