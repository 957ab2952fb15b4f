"""OpenTelemetry (OTLP/HTTP) trace ingestion."""
