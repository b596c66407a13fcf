"""The README's Django quickstart, pasted as written into a new project and driven with its curl commands.

Each quickstart block is marked in README.md by an HTML comment saying what to do with it:
``<!-- quickstart:append PATH -->``, ``<!-- quickstart:create PATH -->``, ``<!-- quickstart:run -->``
(the commands that start the site) and ``<!-- quickstart:curl -->`` (a shell session whose
``# `` lines show what the command above them prints; ``…`` stands for any text).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text()
BIN = Path(sys.executable).parent
MARKED = re.compile(r"<!-- quickstart:(\w+)(?: (\S+))? -->\n```\w+\n(.*?)```", re.DOTALL)
STEP_SECONDS = 60  # generous: a cold start on a busy machine; a healthy run takes a few seconds

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="the quickstart's commands need curl")


def blocks(action: str) -> list[tuple[str, str]]:
    """``(path, text)`` of each block marked ``quickstart:<action>``, in README order."""
    found = [(path, text) for marked, path, text in MARKED.findall(README) if marked == action]
    assert found, f"README has no quickstart:{action} block"
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def environment() -> dict[str, str]:
    """The venv first on PATH (as after activating it), rix_auth importable from this checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTHONSTARTUP")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(REPO)
    return env


def commands(block: str) -> list[list[str]]:
    """The ``python manage.py …`` lines of a block, run with this interpreter."""
    lines = [line.split("#")[0].split() for line in block.splitlines() if line.strip()]
    assert all(words[:2] == ["python", "manage.py"] for words in lines), lines
    return [[sys.executable, *words[1:]] for words in lines]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``django-admin startproject mysite`` with the README's files appended or created, migrated."""
    root = tmp_path_factory.mktemp("quickstart")
    run([str(BIN / "django-admin"), "startproject", "mysite"], root)
    site = root / "mysite"
    for path, text in blocks("append"):
        with (site / path).open("a") as target:
            target.write("\n" + text)
    for path, text in blocks("create"):
        (site / path).write_text(text)
    migrate, _ = commands(blocks("run")[0][1])
    run(migrate, site)
    return site


def run(args: list[str], cwd: Path) -> str:
    """Run a step as a reader would; its output, or a failure that shows it."""
    done = subprocess.run(args, cwd=cwd, env=environment(), capture_output=True, text=True, timeout=STEP_SECONDS)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


@pytest.fixture(scope="module")
def base_url(project: Path) -> Iterator[str]:
    """The project served by the README's ``runserver`` line, on a free loopback port."""
    port = free_port()
    serve = [*commands(blocks("run")[0][1])[1], "--noreload", f"127.0.0.1:{port}"]
    log = project / "runserver.log"
    with log.open("w") as output:
        server = subprocess.Popen(serve, cwd=project, env=environment(), stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url, server, log)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=STEP_SECONDS)


def wait_until_serving(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STEP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"runserver exited: {log.read_text()}")
        try:
            urllib.request.urlopen(url + "/auth/csrf/", timeout=5).close()  # noqa: S310  (our own loopback URL)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)  # polling a starting server, not waiting for an expiry
    raise AssertionError(f"runserver did not answer within {STEP_SECONDS} s: {log.read_text()}")


def expected_pattern(shown: list[str]) -> re.Pattern[str]:
    """What the README shows under a command, ``…`` matching any text."""
    return re.compile(".*?".join(re.escape(part) for part in "\n".join(shown).split("…")), re.DOTALL)


def session_steps(block: str) -> list[tuple[str, list[str]]]:
    """Each command of the curl block with the ``# `` lines that show its output."""
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("# "):
            steps[-1][1].append(line[2:])
        elif line.strip():
            steps.append((line, []))
    return steps


SEPARATOR = "@@ next command @@"


def test_the_curl_session_prints_what_the_readme_shows(project: Path, base_url: str) -> None:
    block = blocks("curl")[0][1]
    assert "http://127.0.0.1:8000" in block
    steps = session_steps(block.replace("http://127.0.0.1:8000", base_url))
    script = "set -eu\n" + "".join(f"{command}\nprintf '\\n{SEPARATOR}\\n'\n" for command, _ in steps)
    outputs = run(["bash", "-c", script], project).split(f"\n{SEPARATOR}\n")
    assert outputs[-1] == ""
    for (command, shown), printed in zip(steps, outputs[:-1], strict=True):
        assert expected_pattern(shown).fullmatch(printed.rstrip("\n")), (command, printed)


def test_the_project_passes_every_system_check(project: Path) -> None:
    assert run([sys.executable, "manage.py", "check", "--fail-level", "WARNING"], project) == (
        "System check identified no issues (0 silenced).\n"
    )
