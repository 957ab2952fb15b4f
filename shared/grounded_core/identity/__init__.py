"""Who is calling: orgs, users, memberships and roles, invites, API keys, tokens and principals."""
