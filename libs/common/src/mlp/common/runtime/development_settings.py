"""Outside development a service refuses what only a development run may have.

Loopback peer URLs are the defaults of every peer setting: a deployment that forgets one would
send its calls (usage to billing, jobs to a trainer) to itself, where nothing listens, forever.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from urllib.parse import urlsplit

DEVELOPMENT = "development"


class DevelopmentSettingsRefused(RuntimeError):
    pass


def is_loopback_url(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def refuse_development_settings(environment: str, development_only: Sequence[str], service: str) -> None:
    if environment == DEVELOPMENT or not development_only:
        return
    settings = "; ".join(f"{service.upper()}_{problem}" for problem in development_only)
    raise DevelopmentSettingsRefused(
        f"{service} refuses to start in environment {environment!r}: {settings} "
        f"(a development run sets {service.upper()}_ENVIRONMENT=development)"
    )
