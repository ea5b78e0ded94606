"""Developer tooling, never shipped in a service image: PostgreSQL for development and
tests, the local runner behind ``make run``, and the shared pytest fixtures."""
