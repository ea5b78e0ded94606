"""Authentication: principals, platform tokens, the identity client, Litestar middleware."""
