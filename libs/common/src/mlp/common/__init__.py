"""Code shared by every ML platform service: authentication and the schema contracts.

``auth`` verifies credentials and carries the :class:`~mlp.common.auth.principal.Principal`;
``contracts`` holds the msgspec Structs that cross service boundaries; ``runtime`` is the thin
glue every service needs to use them (problem+json errors, logs, health, database lifecycle).
"""
