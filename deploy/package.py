"""``syncline package [API_DIR] --out dist/``: the Lambda zip and its SAM template.

The zip holds, at its root (Lambda's ``/var/task``): the dependencies built for the Lambda Python
runtime's platform (``pip install --target --platform manylinux2014_<arch> --only-binary``),
Syncline's own modules, the API folder as ``api/``, and bytecode compiled for the runtime's
Python — ``/var/task`` is read-only, so nothing could be compiled there at a cold start. The
runtime provides boto3 and botocore, so they are left out, and so are uvicorn's server extras. ``template.yaml`` (``deploy.template``) is written beside the zip.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from deploy.template import ZIP_NAME, write_template

#: Provided by the Lambda Python runtime.
EXCLUDED = frozenset({"boto3", "botocore", "s3transfer", "jmespath"})
#: Extras a function never uses (uvicorn is imported, but serves nothing: no uvloop, httptools).
_DROPPED_EXTRAS = {"uvicorn[standard]": "uvicorn"}
LAMBDA_PYTHON = "3.11"
_SKIPPED_NAMES = ("__pycache__", "*.pyc", ".DS_Store", "*.dist-info/RECORD")
SOURCE_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PackageReport:
    zip_path: Path
    template_path: Path
    size: int
    files: int
    top_level: dict[str, int]
    """Bytes (compressed) per top-level entry of the zip."""

    def summary(self) -> str:
        lines = [f"{self.zip_path}: {self.size / 1_048_576:.1f} MB, {self.files} files"]
        biggest = sorted(self.top_level.items(), key=lambda item: -item[1])
        for name, size in biggest[:12]:
            lines.append(f"  {size / 1024:9.1f} KB  {name}")
        if len(biggest) > 12:
            rest = sum(size for _, size in biggest[12:])
            lines.append(f"  {rest / 1024:9.1f} KB  ({len(biggest) - 12} more)")
        lines.append(f"{self.template_path}: AWS SAM template (sam deploy --guided)")
        return "\n".join(lines)


def lambda_requirements() -> list[str]:
    """Syncline's runtime dependencies, minus what the Lambda runtime has or needs not."""
    pyproject = SOURCE_ROOT / "pyproject.toml"
    if pyproject.exists():
        declared = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    else:
        declared = [r for r in importlib.metadata.requires("syncline") or () if "extra" not in r]
    kept = []
    for text in declared:
        name = re.match(r"[A-Za-z0-9._-]+", text)
        if name is None or name.group(0).lower().replace("_", "-") not in EXCLUDED:
            for extra, plain in _DROPPED_EXTRAS.items():
                text = text.replace(extra, plain)
            kept.append(text)
    # strawberry accepts python-dateutil 4, but the zip comes first on sys.path and the
    # runtime's botocore needs < 3.
    return [*kept, "python-dateutil>=2.8,<3"]


def source_entries() -> list[Path]:
    """Syncline's own top-level modules and packages, as ``pyproject.toml`` declares them."""
    pyproject = SOURCE_ROOT / "pyproject.toml"
    config = tomllib.loads(pyproject.read_text())["tool"]["setuptools"]
    patterns = config["packages"]["find"]["include"]
    modules = [SOURCE_ROOT / f"{name}.py" for name in config["py-modules"]]
    packages = [
        path
        for path in sorted(SOURCE_ROOT.iterdir())
        if (path / "__init__.py").exists() and any(fnmatch(path.name, p) for p in patterns)
    ]
    return [*modules, *packages]


def _skipped(path: Path) -> bool:
    return any(fnmatch(part, pattern) for part in path.parts for pattern in _SKIPPED_NAMES)


def install_dependencies(target: Path, arch: str, python: str, log: Callable[[str], None]) -> None:
    platform = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}[arch]
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--target", str(target), "--implementation", "cp", "--python-version", python,
        "--platform", platform, "--only-binary=:all:", "--upgrade", *lambda_requirements(),
    ]  # fmt: skip
    log(f"installing dependencies for python{python} on {platform}")
    subprocess.run(command, check=True)
    # pip --target installs the excluded packages when something depends on them.
    for name in list(target.iterdir()):
        stem = name.name.split("-")[0].lower()
        if stem in EXCLUDED:
            shutil.rmtree(name) if name.is_dir() else name.unlink()


def _copy_tree(source: Path, destination: Path) -> None:
    if source.is_file():
        shutil.copy2(source, destination)
        return
    shutil.copytree(
        source, destination, ignore=shutil.ignore_patterns(*_SKIPPED_NAMES), dirs_exist_ok=True
    )


def _zip(root: Path, zip_path: Path) -> tuple[int, dict[str, int]]:
    top: dict[str, int] = {}
    count = 0
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(root.rglob("*")):
            if path.is_dir():
                continue
            name = path.relative_to(root).as_posix()
            info = zipfile.ZipInfo.from_file(path, name)
            # Lambda runs the code as another user: everything readable, nothing writable.
            info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
            count += 1
        for info in archive.infolist():
            head = info.filename.split("/", 1)[0]
            top[head] = top.get(head, 0) + info.compress_size
    return count, top


def build_package(
    api_dir: Path,
    out: Path,
    *,
    arch: str = "x86_64",
    python: str = LAMBDA_PYTHON,
    dependencies: Iterable[Path] = (),
    log: Callable[[str], None] = lambda _: None,
) -> PackageReport:
    """Build ``out/syncline-lambda.zip`` and ``out/template.yaml`` for the API in ``api_dir``.

    ``dependencies``: an already-installed ``--target`` folder to reuse instead of running pip.
    """
    from schema.definition import load_definition

    definition = load_definition(api_dir)  # fail before building anything
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="syncline-package-") as scratch:
        root = Path(scratch) / "task"
        root.mkdir()
        reused = list(dependencies)
        if reused:
            for folder in reused:
                _copy_tree(folder, root)
        else:
            install_dependencies(root, arch, python, log)
        for entry in source_entries():
            _copy_tree(entry, root / entry.name)
        _copy_tree(api_dir, root / "api")
        current = f"{sys.version_info.major}.{sys.version_info.minor}"
        if current == python:
            compileall.compile_dir(root, quiet=1, workers=0)
        else:
            log(f"no bytecode: this is Python {current}, the function runs {python}")
        zip_path = out / ZIP_NAME
        files, top = _zip(root, zip_path)
    template = write_template(definition, api_dir, out, ZIP_NAME)
    return PackageReport(zip_path, template, zip_path.stat().st_size, files, top)


def add_package_command(commands: argparse._SubParsersAction[argparse.ArgumentParser],
                        env: Callable[[str, str | None], str | None], default_api_dir: str) -> None:  # fmt: skip
    package = commands.add_parser(
        "package", help="build the Lambda zip and its AWS SAM template (docs/deploy.md)"
    )
    package.add_argument("api_dir", nargs="?", default=env("API_DIR", default_api_dir))
    package.add_argument("--out", default="dist", help="output folder (default dist/)")
    package.add_argument("--arch", choices=("x86_64", "arm64"), default="x86_64")
    package.add_argument("--python", default=LAMBDA_PYTHON, help="the Lambda runtime's Python")
    package.add_argument(
        "--template-only", action="store_true", help="write template.yaml, skip the zip"
    )


def package_command(args: argparse.Namespace) -> int:
    from schema.definition import load_definition
    from schema.errors import InvalidDefinition

    api_dir, out = Path(args.api_dir), Path(args.out)
    try:
        if args.template_only:
            out.mkdir(parents=True, exist_ok=True)
            print(write_template(load_definition(api_dir), api_dir, out))
            return 0
        report = build_package(
            api_dir, out, arch=args.arch, python=args.python,
            log=lambda line: print(line, file=sys.stderr),
        )  # fmt: skip
    except InvalidDefinition as invalid:
        for error in invalid.errors:
            print(f"error: {error}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as failure:
        print(f"error: pip failed ({failure.returncode}); see its output above", file=sys.stderr)
        return 1
    print(report.summary())
    return 0
