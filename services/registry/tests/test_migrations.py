"""registry's migrations: a stairway on real PostgreSQL that never leaves the ``registry`` schema."""

from mlp.devtools.migration_checks import check_migrations


async def test_migrations_upgrade_downgrade_upgrade_within_own_schema(empty_database_url: str) -> None:
    await check_migrations("registry", empty_database_url)
