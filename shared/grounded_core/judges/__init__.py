"""LLM judges: the org's model providers, asking a judge, online evaluators."""

#: a model provider's name (``PUT /api/providers/{name}``), as judges and evaluators name it
PROVIDER_NAME = r"^[a-z0-9][a-z0-9_-]{0,39}$"
