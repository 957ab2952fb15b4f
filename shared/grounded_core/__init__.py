"""Grounded's core: domain models, services, the DynamoDB store and AWS adapters.

Every Lambda function imports from here (shipped as the core layer). Keep module-level imports
light: handlers pay for them on every cold start.
"""

__version__ = "0.1.0"
