"""Validation micro-benchmark: µs per documented write body, by each way of validating it.

    SECRET_KEY=x .venv/bin/python bench/validation_bench.py [--rounds 20000]

Times the production builders (`atrack.api.payloads`: validate and build the work item)
on the documented /init, /event and /batch bodies, the validation alone (`contract.read`:
msgspec Structs), and DRF serializers declaring the same fields, the candidate not taken.
"""

from __future__ import annotations

import argparse
import os
import sys
import timeit
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atrack.settings")
django.setup()

from rest_framework import serializers  # noqa: E402

from atrack.api import contract, payloads  # noqa: E402

U = "b19412c6-6a91-4e18-890d-e2269a0d1249"
URL = "https://a-track.io/pricing?utm_source=google&utm_campaign=spring-launch&gclid=gclid_123"
INIT = {
    "context": {
        "url": {
            "href": URL,
            "raw": "/pricing?utm_source=google&utm_campaign=spring-launch&gclid=gclid_123",
            "path": "/pricing",
            "query": "?utm_source=google&utm_campaign=spring-launch&gclid=gclid_123",
            "source_url": "https://partner.example.com/blog/first-touch",
            "referer": "https://google.com/",
        },
        "client": {
            "ipAddress": "50.89.98.90",
            "userAgent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X)",
            "locale": "en-US",
            "timezone": "America/New_York",
        },
    }
}
EVENT = {
    "uuid": U,
    "event": "checkout_started",
    "attributes": {"cart_value": 129.99, "currency": "USD"},
    "timestamp": "2026-04-12T02:10:00Z",
}
ATTRIBUTES = {"uuid": U, "attributes": {"plan": "pro", "signup_step": "landing"}}
BATCH = [
    {"type": "init", "uuid": U, **INIT},
    {"type": "attributes", **ATTRIBUTES},
    *({"type": "event", **EVENT} for _ in range(8)),
]
FACTS = payloads.RequestFacts(
    project_id=1, received_at=datetime.now(UTC), ip="50.89.98.90", user_agent="x",
    anonymize_ip=False,
)  # fmt: skip


# The candidate not taken: DRF serializers, the same fields as the contract.
class DUrl(serializers.Serializer):
    href = raw = path = query = hash = referer = source_url = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, trim_whitespace=False
    )


class DClient(serializers.Serializer):
    ipAddress = serializers.IPAddressField(required=False, allow_null=True, allow_blank=True)
    userAgent = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    userAgentData = serializers.DictField(required=False, allow_null=True)
    clientHints = serializers.DictField(child=serializers.CharField(), required=False)


class DUser(serializers.Serializer):
    attributes = serializers.DictField(required=False, allow_null=True)


class DContext(serializers.Serializer):
    url = DUrl(required=False, allow_null=True)
    client = DClient(required=False, allow_null=True)
    user = DUser(required=False, allow_null=True)


class DInit(serializers.Serializer):
    uuid = serializers.UUIDField(required=False, allow_null=True)
    context = DContext(required=False, allow_null=True)
    custom_data = serializers.DictField(required=False, allow_null=True)
    synchronous = serializers.BooleanField(required=False, allow_null=True)


class DAttributes(serializers.Serializer):
    uuid = serializers.UUIDField()
    attributes = serializers.DictField()
    replace = serializers.BooleanField(required=False, allow_null=True)
    synchronous = serializers.BooleanField(required=False, allow_null=True)


class DEvent(serializers.Serializer):
    uuid = serializers.UUIDField()
    event = serializers.CharField(max_length=255)
    attributes = serializers.DictField(required=False, allow_null=True)
    timestamp = serializers.DateTimeField(required=False, allow_null=True)
    sent_at = serializers.DateTimeField(required=False, allow_null=True)
    context = DContext(required=False, allow_null=True)
    id = serializers.CharField(required=False, allow_null=True, min_length=1, max_length=128)
    synchronous = serializers.BooleanField(required=False, allow_null=True)


CONTRACT = {"init": contract.Init, "attributes": contract.SetAttributes, "event": contract.Event}
DRF = {"init": DInit, "attributes": DAttributes, "event": DEvent}


def hand(kind: str, body: dict[str, Any]) -> Any:
    return payloads.BUILDERS[kind](body, FACTS)


def validated(kind: str, body: dict[str, Any]) -> Any:
    return contract.read(body, CONTRACT[kind])


def with_drf(kind: str, body: dict[str, Any]) -> Any:
    serializer = DRF[kind](data=body)
    assert serializer.is_valid(), serializer.errors
    return serializer.validated_data


def per_body(validate: Any, rounds: int) -> dict[str, float]:
    bodies = {"/init": [("init", INIT)], "/event": [("event", EVENT)]}
    bodies["/batch (10 items)"] = [(item["type"], item) for item in BATCH]
    figures = {}
    for path, entries in bodies.items():

        def run(entries: list[tuple[str, dict[str, Any]]] = entries) -> None:
            for kind, body in entries:
                validate(kind, body)

        best = min(timeit.repeat(run, number=rounds, repeat=5))
        figures[path] = best / rounds * 1e6
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20000)
    rounds = parser.parse_args().rounds
    candidates = {
        "work item (payloads)": hand,
        "contract.read alone": validated,
        "DRF serializer": with_drf,
    }
    print(f"| µs per body | {' | '.join(candidates)} |")
    print(f"|---|{'---|' * len(candidates)}")
    results = {name: per_body(fn, rounds) for name, fn in candidates.items()}
    for path in results["contract.read alone"]:
        row = " | ".join(f"{results[name][path]:.1f}" for name in candidates)
        print(f"| {path} | {row} |")


if __name__ == "__main__":
    main()
