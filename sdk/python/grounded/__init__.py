"""Grounded's Python SDK. It talks HTTP only and imports nothing from the server side.

The client, tracing and the OpenAI wrapper arrive with the SDK work (see the project's issues).
"""

__version__ = "0.1.0"
