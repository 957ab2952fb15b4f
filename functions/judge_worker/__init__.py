import grounded_core.startup  # first: init runs without the garbage collector

# isort: split
import grounded_core.batch_deferred  # noqa: F401  (before Powertools' batch utility: cold start)
