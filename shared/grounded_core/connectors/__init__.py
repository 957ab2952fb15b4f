"""Connectors: import LLM traces from LangSmith and session data from FullStory."""
