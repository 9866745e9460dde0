"""`pip install .` installs the application: every app, template and data file."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("atrack", "projects", "sessions_app", "events", "enrichment")


def _shipped(root: Path) -> set[str]:
    """What the wheel must hold: the apps' modules, the templates, enrichment's data."""
    files = {p for app in APPS for p in (root / app).rglob("*.py")}
    files |= set((root / "templates").rglob("*.html"))
    files |= set((root / "enrichment" / "data").glob("*.*"))
    return {p.relative_to(root).as_posix() for p in files if "__pycache__" not in p.parts}


def test_the_wheel_holds_every_app_template_and_data_file(tmp_path: Path) -> None:
    # A copy, so that setuptools' build folder never lands in the checkout.
    source = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in (*APPS, "templates"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", tmp_path, source],
        check=True,
    )
    (wheel,) = tmp_path.glob("a_track-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert _shipped(source) - names == set()
    assert {name.split("/")[0] for name in names if ".dist-info/" not in name} == {
        *APPS,
        "templates",
    }
