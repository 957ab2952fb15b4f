"""Small HTTP servers that play external services (LangSmith, FullStory) by their real contracts
(``../shared/notes/connector-apis.md``), with faults a test can inject."""
