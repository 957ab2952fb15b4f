"""Analytics: daily series read from the rollups, and insights on sessions that went wrong."""
