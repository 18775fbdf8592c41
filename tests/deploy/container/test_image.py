"""The Dockerfile's install and start steps, performed without a Docker engine: a fresh
virtualenv built by the same ``deploy/container/install.sh`` steps the build stage runs, from a
build context filtered by ``.dockerignore``, then the runtime stage's ENV, WORKDIR and
ENTRYPOINT + CMD, the HEALTHCHECK command, a query and a mutation, and SIGTERM.

Wheels are cached under ``.cache/pip-deploy`` so a repeated run takes seconds, not a minute.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.deploy.container.dockerfile import Stage, parse
from tests.live import ROOT, free_port

PIP_CACHE = ROOT / ".cache" / "pip-deploy"
KEY = {"x-api-key": "da2-syncline-local-example-key"}


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return parse(ROOT / "Dockerfile")


def test_dockerfile_shape(stages: list[Stage]) -> None:
    build, runtime = stages
    assert build.name == "build"
    assert build.runs == [
        "syncline-install deps /opt/syncline",
        "syncline-install app /opt/syncline /src",
    ]
    assert runtime.user not in (None, "root", "0", "0:0")
    assert runtime.env["SYNCLINE_API_DIR"] == "/app/api"
    assert runtime.command == ["syncline", "serve"]
    assert runtime.healthcheck == ["python", "-m", "deploy.container.healthcheck"]
    assert runtime.base == build.base  # the same interpreter the virtualenv was built with


def test_hadolint_passes() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run(
        [str(hadolint), "--failure-threshold", "info", str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _ignored(patterns: list[str], relative: str) -> bool:
    return any(
        fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(relative.rsplit("/", 1)[-1], p.lstrip("*/"))
        for p in patterns
    )


def _build_context(target: Path) -> Path:
    """``COPY . .`` as Docker does it: the repository minus what ``.dockerignore`` excludes."""
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT).as_posix()
        parts = relative.split("/")
        if any(_ignored(patterns, "/".join(parts[: i + 1])) for i in range(len(parts))):
            continue
        if path.is_file():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / relative)
    return target


def _install(step: list[str], cwd: Path, prefix: Path) -> None:
    script = ROOT / "deploy" / "container" / "install.sh"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))},
        "PIP_CACHE_DIR": str(PIP_CACHE),
        "PYTHON": getattr(sys, "_base_executable", sys.executable),
    }
    argv = [a.replace("/opt/syncline", str(prefix)).replace("/src", str(cwd)) for a in step[1:]]
    result = subprocess.run(
        ["sh", str(script), *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=540
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory, stages: list[Stage]) -> Path:
    """The image's filesystem, as far as Syncline is concerned: /opt/syncline and /app/api."""
    root = tmp_path_factory.mktemp("image")
    context = _build_context(root / "src")
    prefix = root / "opt" / "syncline"
    for run in stages[0].runs:
        _install(run.split(), context, prefix)
    shutil.copytree(context / "examples" / "orders", root / "app" / "api")
    (root / "data").mkdir()
    return root


def _runtime_env(stage: Stage, root: Path, port: int) -> dict[str, str]:
    env = {"HOME": str(root), "LANG": "C.UTF-8"}
    for name, value in stage.env.items():
        value = value.replace("$PATH", os.environ.get("PATH", "/usr/bin:/bin"))
        for inside in ("/opt/syncline", "/app/api", "/data"):
            value = value.replace(inside, str(root) + inside)
        env[name] = value
    env["SYNCLINE_HOST"] = "127.0.0.1"  # the container's 0.0.0.0, kept on loopback here
    env["SYNCLINE_PORT"] = str(port)
    return env


def test_image_steps_install_and_serve(image: Path, stages: list[Stage]) -> None:
    runtime = stages[-1]
    port = free_port()
    env = _runtime_env(runtime, image, port)
    installed = image / "opt" / "syncline"
    assert list(installed.glob("lib/python3*/site-packages/deploy/__pycache__/*.pyc"))
    workdir = image / (runtime.workdir or "/").lstrip("/")
    workdir.mkdir(parents=True, exist_ok=True)
    executable = shutil.which(runtime.command[0], path=env["PATH"])
    assert executable == str(installed / "bin" / "syncline")  # from the image's virtualenv
    process = subprocess.Popen(
        [executable, *runtime.command[1:]],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        health = [
            shutil.which(runtime.healthcheck[0], path=env["PATH"]) or "",
            *runtime.healthcheck[1:],
        ]
        deadline = time.monotonic() + 60
        while subprocess.run(health, env=env, cwd=workdir, timeout=10).returncode != 0:
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            assert time.monotonic() < deadline, "the HEALTHCHECK never passed"
            time.sleep(0.2)
        placed = httpx.post(
            f"{base}/graphql",
            json={
                "query": 'mutation { placeOrder(input: {customerId: "c1", cardToken: "tok", '
                'items: [{sku: "a", quantity: 2, price: 5}]}) { id status total } }'
            },
            headers=KEY,
            timeout=30,
        ).json()
        assert placed["data"]["placeOrder"]["status"] == "PAID", placed
        quote = httpx.post(
            f"{base}/graphql",
            json={"query": '{ shippingQuote(destination: "US-CA", weightKg: 2) { carrier } }'},
            headers=KEY,
            timeout=30,
        ).json()
        assert quote["data"]["shippingQuote"], quote
        assert list((image / "data").iterdir()), "the embedded store writes to SYNCLINE_DATA_DIR"
        process.send_signal(signal.SIGTERM)
        # uvicorn shuts down cleanly, then re-raises SIGTERM so the exit status tells the
        # supervisor what stopped it (Docker reports 143).
        assert process.wait(timeout=20) in (0, -signal.SIGTERM)
        output = process.stdout.read().decode() if process.stdout else ""
        assert "Application shutdown complete" in output, output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
    # A stopped server fails the health check.
    assert subprocess.run(health, env=env, cwd=workdir, timeout=10).returncode == 1
