"""Rate-limit policies per agent, enforced on ingestion with atomic counters."""
