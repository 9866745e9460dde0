from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from events.ingest.consumer import Consumer


class Command(BaseCommand):
    help = (
        "Store queued writes: read the ingest stream and store its work until SIGTERM. "
        "Run at least one wherever a broker is configured."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--processes",
            type=int,
            default=1,
            help="Consumers to run, each its own process; one that exits is started again.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CELERY_BROKER_URL:
            raise CommandError("No broker is configured (CELERY_BROKER_URL): nothing is queued.")
        if options["processes"] <= 1:
            Consumer().run()
        else:
            self._supervise(options["processes"])

    def _supervise(self, count: int) -> None:
        """Run `count` consumers as child processes, start again one that exits, and pass
        SIGTERM on (each stops after the chunk in hand)."""
        stopping: list[int] = []
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda number, _frame: stopping.append(number))
        command = [sys.executable, sys.argv[0], "ingest"]
        children = [subprocess.Popen(command) for _ in range(count)]
        while not stopping:
            for index, child in enumerate(children):
                if child.poll() is not None:
                    self.stderr.write(f"consumer {child.pid} exited ({child.returncode})")
                    children[index] = subprocess.Popen(command)
            time.sleep(0.5)
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=60)
