"""Sessions: one conversation or visit, stitched from traces, turns and telemetry."""
