"""Per-address counters in fixed time windows, kept in the process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class AddressWindow:
    """Counts per client address in fixed windows of `seconds`, in this process only
    (a shared count would cost a Redis round trip per new address). Holds at most one
    window of addresses."""

    def __init__(self, seconds: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._window = -1
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def _roll(self) -> None:
        window = int(self._clock() // self.seconds)
        if window != self._window:
            self._window, self._counts = window, {}

    def hit(self, address: str) -> int:
        """Count one request of `address`; its count in this window."""
        with self._lock:
            self._roll()
            count = self._counts.get(address, 0) + 1
            self._counts[address] = count
            return count

    def count(self, address: str) -> int:
        with self._lock:
            self._roll()
            return self._counts.get(address, 0)
