import grounded_core.http.fastapi_deferred  # noqa: F401  (before FastAPI: cold start)
