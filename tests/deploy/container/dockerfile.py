"""Read the repository's Dockerfile: the runtime stage's ENV, ENTRYPOINT + CMD, HEALTHCHECK and
the RUN steps of each stage, so tests run exactly what the image runs."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Stage:
    base: str
    name: str | None
    runs: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    command: list[str] = field(default_factory=list)
    healthcheck: list[str] = field(default_factory=list)
    user: str | None = None
    workdir: str | None = None


def _instructions(text: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def _exec_form(text: str) -> list[str]:
    if text.startswith("["):
        value: list[str] = json.loads(text)
        return value
    return ["/bin/sh", "-c", text]


def _env_pairs(text: str) -> dict[str, str]:
    return dict(token.split("=", 1) for token in shlex.split(text))


def parse(path: Path) -> list[Stage]:
    stages: list[Stage] = []
    entrypoint: list[str] = []
    cmd: list[str] = []
    for keyword, rest in _instructions(path.read_text()):
        if keyword == "FROM":
            parts = rest.split()
            stages.append(Stage(parts[0], parts[2] if len(parts) > 2 else None))
            entrypoint, cmd = [], []
        elif not stages:
            continue
        elif keyword == "RUN":
            stages[-1].runs.append(rest)
        elif keyword == "ENV":
            stages[-1].env.update(_env_pairs(rest))
        elif keyword == "ENTRYPOINT":
            entrypoint = _exec_form(rest)
        elif keyword == "CMD":
            cmd = _exec_form(rest)
        elif keyword == "HEALTHCHECK":
            stages[-1].healthcheck = _exec_form(rest.split(" CMD ", 1)[1].strip())
        elif keyword == "USER":
            stages[-1].user = rest
        elif keyword == "WORKDIR":
            stages[-1].workdir = rest
        if stages:
            stages[-1].command = entrypoint + cmd
    return stages
