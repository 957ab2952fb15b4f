import grounded_core.startup  # first: init runs without the garbage collector

# isort: split
import grounded_core.http.fastapi_deferred  # noqa: F401  (before FastAPI: cold start)
