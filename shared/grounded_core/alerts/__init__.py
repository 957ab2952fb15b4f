"""Alerts: rules per agent, evaluated on a schedule and on the events that change them, delivered
to signed webhooks and by email."""
