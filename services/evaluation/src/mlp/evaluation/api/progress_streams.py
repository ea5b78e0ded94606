"""What bounds a replica's progress streams: a per-user cap, and how often a stream looks again.

The cap counts the streams this replica serves (streams are long-lived connections to one
replica; the gateway spreads users over replicas), so a user holds at most ``max_per_user`` per
replica. A stream re-checks its caller's credential every ``credential_check_seconds``, and
sends a comment while idle every ``heartbeat_seconds`` so proxies do not cut it.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class ProgressStreams:
    max_per_user: int = 5
    progress_interval_seconds: float = 1.0
    heartbeat_seconds: float = 15.0
    credential_check_seconds: float = 1.0
    _open: Counter[uuid.UUID] = field(default_factory=Counter)

    def acquire(self, user_id: uuid.UUID) -> bool:
        """Takes one of the user's stream slots; False when all are taken."""
        if self._open[user_id] >= self.max_per_user:
            return False
        self._open[user_id] += 1
        return True

    def release(self, user_id: uuid.UUID) -> None:
        self._open[user_id] -= 1
        if self._open[user_id] <= 0:
            del self._open[user_id]

    @property
    def tick_seconds(self) -> float:
        """How long a stream sleeps between looks (at the run, the credential, the heartbeat)."""
        return min(self.progress_interval_seconds, self.heartbeat_seconds, self.credential_check_seconds)
