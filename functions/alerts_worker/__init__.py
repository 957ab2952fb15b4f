import grounded_core.batch_deferred  # noqa: F401  (before Powertools' batch utility: cold start)
