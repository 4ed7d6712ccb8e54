"""The deployment files: Dockerfile, compose.yaml and the systemd unit say what they must.

No container runtime here, so the files are parsed: the Dockerfile installs with exactly the
line CI runs (.ci/install-check), runs ``signalbot run`` as a non-root user with a data volume,
and its health check asks a route the ops server really serves; compose waits for a healthy
PostgreSQL 16; the unit restarts on failure as a dedicated user and passes
``systemd-analyze verify`` when that tool exists.
"""

from __future__ import annotations

import configparser
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.ops.http import HEALTH_PATH, READY_PATH
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) with continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    joined = re.sub(r"\\\n\s*", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def pip_lines(text: str) -> list[str]:
    return [" ".join(m.split()) for m in re.findall(r"pip install[^\n&;]*", text)]


def test_dockerfile_installs_exactly_as_ci_checks():
    """One pip install, and it is the line .ci/install-check runs (which .ci/run calls)."""
    runs = " ".join(args for word, args in dockerfile() if word == "RUN")
    ci = (ROOT / ".ci" / "install-check").read_text()
    assert pip_lines(runs) == pip_lines(ci) == ["pip install --no-cache-dir -c constraints.txt ."]
    assert "bash .ci/install-check" in (ROOT / ".ci" / "run").read_text()


def test_dockerfile_base_user_volume_command_and_health():
    """Slim Python 3.11, a non-root USER, /data as a volume, `signalbot run`, /healthz probed."""
    steps = dockerfile()
    words = [w for w, _ in steps]
    assert steps[0] == ("FROM", "python:3.11-slim")
    user = next(args for word, args in steps if word == "USER")
    assert user not in ("root", "0")
    assert words.index("USER") > words.index("RUN")  # installs as root, runs as the user
    assert json.loads(next(a for w, a in steps if w == "VOLUME")) == ["/data"]
    env = " ".join(a for w, a in steps if w == "ENV")
    assert "SIGNALBOT_DATA_DIR=/data" in env
    assert json.loads(next(a for w, a in steps if w == "CMD")) == ["signalbot", "run"]
    health = next(a for w, a in steps if w == "HEALTHCHECK")
    probe = json.loads(health.split("CMD", 1)[1].strip())
    assert probe[0] == "python" and f"'{HEALTH_PATH}'" in probe[2]
    compile(probe[2], "HEALTHCHECK", "exec")  # the probe is valid Python
    port = load_settings(env_file=None).ops.http_port
    assert f"SIGNALBOT_HTTP_PORT={port}" in env and f"EXPOSE {port}" in [
        f"{w} {a}" for w, a in steps
    ]


def test_compose_runs_the_bot_after_a_healthy_postgres_16():
    """PostgreSQL 16 with a volume and a health check; the bot waits for it, both restart."""
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    db, bot = compose["services"]["db"], compose["services"]["bot"]
    assert db["image"] == "postgres:16"
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert bot["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert db["restart"] == bot["restart"] == "unless-stopped"
    assert bot["build"] == "."
    url = bot["environment"]["SIGNALBOT_DATABASE_URL"]
    assert url.startswith("postgresql://") and "@db:5432/" in url
    assert bot["environment"]["SIGNALBOT_DATA_DIR"] == "/data"
    assert any(v.endswith(":/data") for v in bot["volumes"])
    named = {v.split(":")[0] for s in (db, bot) for v in s["volumes"]}
    assert named <= set(compose["volumes"])
    filled = url.replace("${POSTGRES_PASSWORD:-signalbot}", "signalbot")
    assert load_settings(env_file=None, database_url=filled).storage.async_database_url.startswith(
        "postgresql+asyncpg://"
    )


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(ROOT / "deploy" / "signalbot.service")
    return parser


def test_systemd_unit_restarts_on_failure_as_a_dedicated_user():
    """Restart=on-failure, a non-root User, `signalbot run`, and an [Install] target."""
    service = unit()["Service"]
    assert service["Restart"] == "on-failure"
    assert service["User"] == "signalbot" and service["User"] != "root"
    assert service["ExecStart"].endswith("/signalbot run")
    assert service["KillSignal"] == "SIGTERM"
    assert unit()["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_analyze_verify_accepts_the_unit(tmp_path):
    """systemd-analyze verify finds no error (ExecStart pointed at this venv's signalbot)."""
    signalbot = shutil.which("signalbot") or str(Path(__file__).parents[1] / ".venv/bin/signalbot")
    text = (ROOT / "deploy" / "signalbot.service").read_text()
    copy = tmp_path / "signalbot.service"
    copy.write_text(text.replace("/opt/signalbot/bin/signalbot", signalbot))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(copy)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "signalbot.service:" not in result.stderr, result.stderr


def test_readiness_route_is_documented_with_the_deployment():
    """The README's 24/7 section names the routes the ops server serves."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Run it 24/7", 1)[1].split("\n## ", 1)[0]
    for path in (HEALTH_PATH, READY_PATH, "/metrics"):
        assert path in section


def test_distribution_has_a_name_of_its_own():
    """`signalbot` on PyPI is someone else's project: ours installs the command under another name."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == "signalbot-momentum"
    assert project["scripts"] == {"signalbot": "bot.cli:main"}
    readme = (ROOT / "README.md").read_text()
    assert "pip install signalbot\n" not in readme
    assert "signalbot_momentum-" in readme  # how to install from a wheel


def test_stop_timeouts_cover_the_drain_and_nothing_to_serve_is_not_restarted():
    """systemd's TimeoutStopSec equals compose's stop_grace_period and covers the digest drain
    (SIGNALBOT_DIGEST_STOP_SECONDS) plus the adapters' stop; exit 78 (nothing to serve: no
    token in the env file) is not restarted in a loop."""
    from bot.app import SHUTDOWN_TIMEOUT
    from bot.startup import EXIT_NOTHING_TO_SERVE

    service = unit()["Service"]
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    grace = compose["services"]["bot"]["stop_grace_period"]
    assert grace.endswith("s") and service["TimeoutStopSec"] == grace[:-1]
    drain = load_settings(env_file=None).digest.digest_stop_seconds + SHUTDOWN_TIMEOUT
    assert int(service["TimeoutStopSec"]) >= drain
    assert str(EXIT_NOTHING_TO_SERVE) in service["RestartPreventExitStatus"].split()
