# Syncline as a container API (docs/deploy.md, "Container").
#
#   docker build -t syncline .
#   docker run --rm -p 8000:8000 syncline            # serves the baked-in examples/orders
#   docker run --rm -p 8000:8000 -v "$PWD/my-api:/api:ro" -e SYNCLINE_API_DIR=/api syncline
#
# Two stages: `build` creates the virtualenv (dependencies in their own layer, then Syncline,
# bytecode compiled); the runtime stage copies only the virtualenv and the API folder onto a
# clean slim image and runs as an unprivileged user. The install steps live in
# deploy/container/install.sh, which tests/deploy/test_container.py runs in a fresh virtualenv.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY deploy/container/install.sh /usr/local/bin/syncline-install
COPY pyproject.toml ./
RUN syncline-install deps /opt/syncline
COPY . .
RUN syncline-install app /opt/syncline /src

FROM ${PYTHON_IMAGE}
ARG UID=10001
RUN groupadd --system --gid "${UID}" syncline \
    && useradd --system --uid "${UID}" --gid syncline --home-dir /nonexistent --shell /usr/sbin/nologin syncline \
    && mkdir -p /data \
    && chown syncline:syncline /data
COPY --from=build /opt/syncline /opt/syncline
COPY --from=build /src/examples/orders /app/api
# Every `syncline serve` flag reads its SYNCLINE_* variable; override any with `docker run -e`.
# SYNCLINE_API_DIR: the API folder (baked in here, or mount one and point this at it).
# SYNCLINE_WORKERS: uvicorn worker processes (several need Redis: SYNCLINE_REDIS_URL).
# SYNCLINE_GRACEFUL_TIMEOUT: seconds in-flight requests get after SIGTERM (below Docker's 10).
ENV PATH=/opt/syncline/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SYNCLINE_API_DIR=/app/api \
    SYNCLINE_DATA_DIR=/data \
    SYNCLINE_HOST=0.0.0.0 \
    SYNCLINE_PORT=8000 \
    SYNCLINE_WORKERS=1 \
    SYNCLINE_GRACEFUL_TIMEOUT=8
WORKDIR /app
USER ${UID}:${UID}
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-m", "deploy.container.healthcheck"]
# uvicorn handles SIGTERM: it stops accepting, lets in-flight requests finish (up to
# SYNCLINE_GRACEFUL_TIMEOUT) and closes WebSockets with 1012 "service restart".
STOPSIGNAL SIGTERM
ENTRYPOINT ["syncline"]
CMD ["serve"]
