import grounded_core.startup  # noqa: F401  (first: init runs without the garbage collector)
