"""The image's entrypoint (run with stub binaries), the compose file and .env.example."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
STUB = '#!/bin/sh\necho "$(basename "$0") $*" >> "$STUB_LOG"\n'


def run_entrypoint(tmp_path: Path, *args: str, **env: str) -> list[str]:
    """Run docker/entrypoint.sh with python, granian and celery replaced by recorders."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name in ("python", "granian", "celery"):
        stub = bin_dir / name
        stub.write_text(STUB)
        stub.chmod(0o755)
    log = tmp_path / "calls.log"
    environment = {"PATH": f"{bin_dir}:/usr/bin:/bin", "STUB_LOG": str(log), **env}
    subprocess.run(
        ["/bin/sh", str(DOCKER / "entrypoint.sh"), *args], env=environment, check=True, timeout=10
    )
    return log.read_text().splitlines()


def test_web_role_migrates_every_alias_then_serves_with_granian(tmp_path: Path) -> None:
    calls = run_entrypoint(tmp_path, "web")
    assert calls == [
        "python manage.py migrateall",
        "granian --interface wsgi --host 0.0.0.0 --port 8000 --workers 2 --blocking-threads 8 "
        "--no-ws --respawn-failed-workers atrack.wsgi:application",
    ]


def test_api_role_serves_the_api_entry_point_without_migrating(tmp_path: Path) -> None:
    calls = run_entrypoint(tmp_path, "api", WEB_WORKERS="3")
    assert calls == [
        "granian --interface wsgi --host 0.0.0.0 --port 8000 --workers 3 --blocking-threads 8 "
        "--no-ws --respawn-failed-workers atrack.wsgi_api:application",
    ]


def test_web_is_the_default_role_and_reads_its_sizes_from_the_environment(tmp_path: Path) -> None:
    calls = run_entrypoint(tmp_path, PORT="9000", WEB_WORKERS="4", WEB_THREADS="16")
    assert calls[0] == "python manage.py migrateall"
    assert "--port 9000 --workers 4 --blocking-threads 16" in calls[1]


def test_ingest_role_execs_the_ingest_consumers(tmp_path: Path) -> None:
    assert run_entrypoint(tmp_path, "ingest") == ["python manage.py ingest --processes 2"]
    calls = run_entrypoint(tmp_path, "ingest", INGEST_PROCESSES="4")
    assert calls[-1] == "python manage.py ingest --processes 4"


def test_worker_role_execs_a_celery_worker(tmp_path: Path) -> None:
    calls = run_entrypoint(tmp_path, "worker", WORKER_CONCURRENCY="3", LOG_LEVEL="WARNING")
    assert calls == ["celery -A atrack worker --loglevel WARNING --concurrency 3"]


def test_beat_role_execs_celery_beat_with_its_schedule_in_the_var_dir(tmp_path: Path) -> None:
    calls = run_entrypoint(tmp_path, "beat", ATRACK_VAR_DIR="/data")
    assert calls == ["celery -A atrack beat --loglevel INFO --schedule /data/celerybeat-schedule"]


def test_other_arguments_go_to_manage_py(tmp_path: Path) -> None:
    calls = run_entrypoint(tmp_path, "moveproject", "acme", "--to", "shard2")
    assert calls == ["python manage.py moveproject acme --to shard2"]


def test_a_failed_migration_stops_the_web_role_before_it_serves(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").write_text(STUB + "exit 1\n")
    (bin_dir / "python").chmod(0o755)
    with pytest.raises(subprocess.CalledProcessError):
        run_entrypoint_keeping(tmp_path, "web")
    assert "granian" not in (tmp_path / "calls.log").read_text()


def run_entrypoint_keeping(tmp_path: Path, *args: str) -> None:
    bin_dir = tmp_path / "bin"
    for name in ("granian", "celery"):
        (bin_dir / name).write_text(STUB)
        (bin_dir / name).chmod(0o755)
    environment = {"PATH": f"{bin_dir}:/usr/bin:/bin", "STUB_LOG": str(tmp_path / "calls.log")}
    subprocess.run(
        ["/bin/sh", str(DOCKER / "entrypoint.sh"), *args], env=environment, check=True, timeout=10
    )


def test_env_example_lists_every_variable_of_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    table = re.findall(r"^\| `([A-Z_]+)`", readme, flags=re.MULTILINE)
    example = (DOCKER / ".env.example").read_text()
    assert len(table) > 15
    missing = [name for name in table if not re.search(rf"\b{name}=", example)]
    assert missing == []
    for name in ("GEOIPUPDATE_ACCOUNT_ID", "GEOIPUPDATE_LICENSE_KEY", "GEOIPUPDATE_EDITION_IDS"):
        assert f"{name}=" in example


def compose_command() -> list[str]:
    """`docker compose`, else `docker-compose`; skipped (not failed) without either."""
    candidates = [["docker", "compose"], ["docker-compose"]]
    for command in candidates:
        if shutil.which(command[0]) is None:
            continue
        probe = subprocess.run([*command, "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return command
    pytest.skip("no docker compose client (plugin or docker-compose) on this machine")


def test_compose_file_is_valid_with_the_example_environment(tmp_path: Path) -> None:
    command = compose_command()
    docker_dir = tmp_path / "docker"
    docker_dir.mkdir()
    for name in ("docker-compose.yml", "Dockerfile", "entrypoint.sh", "nginx.conf.template"):
        shutil.copy(DOCKER / name, docker_dir / name)
    shutil.copy(DOCKER / ".env.example", docker_dir / ".env")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTGRES_", "GEOIPUPDATE_"))}
    result = subprocess.run(
        [*command, "-f", str(docker_dir / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    config = result.stdout
    for service in (
        "proxy:",
        "web:",
        "api:",
        "ingest:",
        "worker:",
        "beat:",
        "postgres:",
        "redis:",
        "geoipupdate:",
    ):
        assert service in config
    assert "noeviction" in config
    assert "appendonly" in config
