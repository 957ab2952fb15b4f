"""Insights: sessions that went wrong, flagged by rules the normalize worker runs."""
