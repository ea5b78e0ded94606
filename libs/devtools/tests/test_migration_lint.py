"""Every new revision passes squawk: no table rewrite, blocking index build or dropped object that
the release before it still reads (expand now, contract a release later)."""

from __future__ import annotations

import asyncio

import pytest

from mlp.devtools.databases import SERVICES
from mlp.devtools.migration_lint import RELEASED, squawk_findings
from mlp.devtools.migration_sql import revision_sql


@pytest.mark.parametrize("service", SERVICES)
async def test_new_revisions_pass_the_migration_linter(service: str, empty_database_url: str) -> None:
    scripts = await asyncio.to_thread(revision_sql, service, empty_database_url)
    new = {f"{service}_{revision}": sql for revision, sql in scripts.items() if revision not in RELEASED[service]}
    assert squawk_findings(new) == []


def test_the_linter_finds_what_breaks_a_rolling_deploy() -> None:
    """The check above could fail: a blocking index build and a dropped column are findings."""
    findings = squawk_findings(
        {
            "bad": "SET lock_timeout = 5000;\nBEGIN;\nCREATE INDEX ix ON registry.models (name);\n"
            "ALTER TABLE registry.models DROP COLUMN description;\nCOMMIT;\n"
        }
    )
    rules = " ".join(findings)
    assert "require-concurrent-index-creation" in rules
    assert "ban-drop-column" in rules
