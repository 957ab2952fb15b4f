"""Model prices and what an LLM call cost."""
