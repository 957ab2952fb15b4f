"""Agents and their snapshots (immutable versions of an agent's configuration)."""
