"""Scores and feedback on traces, spans, sessions and eval results."""
