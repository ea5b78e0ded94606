"""registry's HTTP API as evaluation calls it (as the user, with a token identity minted)."""
