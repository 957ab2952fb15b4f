"""Ingestion: traces and telemetry in, sessions and turns out (through the normalize worker)."""
