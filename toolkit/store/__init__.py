"""Persistence of the inventory."""
