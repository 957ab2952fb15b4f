"""Drift: how far a snapshot of an agent has moved from its baseline."""
