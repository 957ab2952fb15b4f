"""Searching traces and sessions within a time window, without a Scan."""
