"""Evals: suites of cases with typed assertions, built-in templates, runs orchestrated by Step Functions."""
