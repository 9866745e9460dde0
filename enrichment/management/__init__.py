"""What the data-building commands of enrichment share."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

Checked = TypeVar("Checked")


def install_table(data: Any, output: Path, check: Callable[[Path], Checked]) -> Checked:
    """Write `data` as compact JSON to `output`, only once `check` has read it back
    without error: a table the loader cannot read never replaces a working one."""
    tmp = output.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
    checked = check(tmp)
    tmp.replace(output)
    return checked
