"""identity: Firebase sign-in, sessions, API keys, the audit trail and platform tokens."""
