"""How a call to a model server can fail before it answers (the API maps these to 504 and 502)."""

from __future__ import annotations


class UpstreamError(Exception):
    """Carries no URL or credential: the message is safe to show to the caller."""


class UpstreamTimeout(UpstreamError):
    pass


class UpstreamUnavailable(UpstreamError):
    pass
