"""What happens to data over time: retention, re-stamping expiry, erasing an org or an account."""
