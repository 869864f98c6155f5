"""Warehouse inventory: items and movements, SKUs, stock levels, reordering and reports.

Money is always integer cents and quantities are whole units.
"""
