"""LLM judges: the org's model providers, asking a judge, online evaluators."""
