"""The contract suite (sdks/contract) played by the Python and JavaScript SDKs.

One launcher (`sdks/contract/serve.py`: the embedded default, a rate-limited twin and a
fault proxy) serves every case of this module.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sdks.conftest import JS_SDK, run_node
from tests.sdks.contract import CASES, Case, launched


@pytest.fixture(scope="module")
def contract_service() -> Iterator[dict[str, Any]]:
    with launched() as service:
        yield service


def test_there_are_cases_for_every_documented_flow() -> None:
    names = {path.stem.split("-", 1)[1] for path in CASES}
    errors = {f"error-{status}" for status in (400, 401, 403, 404, 413, 415, 429, 503)}
    flows = {"init-without-uuid", "init-with-uuid", "attributes", "track-event-id", "batch"}
    assert names >= errors | flows | {"erase"}


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_python_sdk_plays_the_case(path: Path, contract_service: dict[str, Any]) -> None:
    case = Case(path, contract_service)
    expected = case.spec.get("expected_failure")
    try:
        case.play()
    except AssertionError as exc:
        if expected:
            pytest.xfail(f"{expected} ({exc})")
        raise


def test_javascript_sdk_plays_every_case(
    node: str, contract_service: dict[str, Any], tmp_path: Path
) -> None:
    out = run_node(
        node,
        JS_SDK / "e2e" / "contract.js",
        {
            "ATRACK_CONTRACT_SERVICE": json.dumps(contract_service),
            "ATRACK_CONTRACT_CASES": str(CASES[0].parent),
        },
        timeout=300,
    )
    assert out["failures"] == {}
    expected = {path.name for path in CASES if json.loads(path.read_text()).get("expected_failure")}
    assert set(out["expected_failures"]) <= expected
    assert sorted(out["passed"] + list(out["expected_failures"])) == sorted(p.name for p in CASES)


def test_a_case_expecting_the_wrong_answer_fails(
    contract_service: dict[str, Any], tmp_path: Path
) -> None:
    wrong = json.loads(CASES[0].read_text())
    wrong["steps"][0]["expect"]["status"] = 200  # the init really answers 201
    path = tmp_path / "wrong.json"
    path.write_text(json.dumps(wrong))
    with pytest.raises(AssertionError, match="expected HTTP 200, got 201"):
        Case(path, contract_service).play()
