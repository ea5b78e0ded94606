"""``make run`` gives billing a Stripe webhook signing secret (kept across restarts) and prints where to forward."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlp.devtools.stripe_webhook_secret import SECRET_ENV, banner_line, webhook_secret


def test_a_development_secret_is_made_once_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    first = webhook_secret(tmp_path)
    assert first.startswith("whsec_")
    assert len(first) > 30
    assert webhook_secret(tmp_path) == first
    assert (tmp_path / "stripe-webhook-secret").stat().st_mode & 0o077 == 0


def test_the_stripe_clis_own_secret_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "whsec_from_stripe_listen")
    assert webhook_secret(tmp_path) == "whsec_from_stripe_listen"
    assert not (tmp_path / "stripe-webhook-secret").exists()


def test_the_banner_says_where_stripe_listen_forwards_and_the_secret() -> None:
    line = banner_line("http://127.0.0.1:8004", "whsec_x")
    assert "stripe listen --forward-to 127.0.0.1:8004/v1/stripe/webhook" in line
    assert "whsec_x" in line
