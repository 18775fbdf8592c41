"""The container image's helpers (``Dockerfile``)."""
