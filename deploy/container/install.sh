#!/bin/sh
# The container image's install steps, run by the Dockerfile's build stage and, outside Docker,
# by tests/deploy/test_container.py in a fresh virtualenv (no Docker engine runs in CI).
#
#   install.sh deps PREFIX      create the virtualenv PREFIX and install the runtime dependencies
#                               listed in pyproject.toml (its own layer: source edits keep it cached)
#   install.sh app PREFIX SRC   install Syncline from SRC (no dependencies) and compile bytecode
set -eu

step=$1
prefix=$2
python=${PYTHON:-python3}

case "$step" in
deps)
    "$python" -m venv "$prefix"
    # The [project] dependencies, without the package itself (its source is not copied yet).
    "$prefix/bin/python" - <<'PY' >"$prefix/requirements.txt"
import tomllib

with open("pyproject.toml", "rb") as handle:
    print("\n".join(tomllib.load(handle)["project"]["dependencies"]))
PY
    "$prefix/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r "$prefix/requirements.txt"
    ;;
app)
    src=${3:-.}
    "$prefix/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "$src"
    # Bytecode up front: the image runs read-only as a non-root user, and a worker process's
    # first import would otherwise compile every module again.
    "$prefix/bin/python" -m compileall -q -j 0 "$prefix/lib" >/dev/null
    ;;
*)
    echo "usage: install.sh deps PREFIX | app PREFIX [SRC]" >&2
    exit 2
    ;;
esac
