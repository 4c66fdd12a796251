"""What an account and region do not offer: an optional read that failed is not asked again.

AWS answers an API it lacks (a partition, a region, an old endpoint) or one the bot may not
call the same way every time: remembered until restart. A server error or a time-out may pass:
remembered for a few minutes. Only optional reads (`Read.optional`) are remembered so.
"""

from __future__ import annotations

import threading
import time

from botocore.exceptions import BotoCoreError, ClientError

RETRY_AFTER = 300.0  # seconds after a server error or a time-out
# Codes that say the API is not there for this caller: nothing will change until restart.
_FOR_GOOD = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnknownOperationException",
        "InvalidAction",
        "UnsupportedOperation",
        "UnrecognizedClientException",
    }
)


class Unavailable:
    """Per action, until when it is not to be asked (monotonic seconds; inf: until restart)."""

    def __init__(self) -> None:
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def now(self, action: str) -> bool:
        """Whether `action` is remembered as not available here."""
        with self._lock:
            return self._until.get(action, 0.0) > time.monotonic()

    def remember(self, action: str, error: ClientError | BotoCoreError) -> None:
        code = (
            error.response.get("Error", {}).get("Code", "")
            if isinstance(error, ClientError)
            else ""
        )
        wait = float("inf") if code in _FOR_GOOD else RETRY_AFTER
        with self._lock:
            self._until[action] = time.monotonic() + wait
