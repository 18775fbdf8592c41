"""``--ssl-certfile``/``--ssl-keyfile``: ``https://`` and ``wss://`` from ``syncline serve``
(AppSync clients for custom domains insist on ``wss://``)."""

from __future__ import annotations

import asyncio
import base64
import datetime
import ipaddress
import json
import os
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import websockets
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.live import ROOT, free_port

EXAMPLE = ROOT / "examples" / "orders"
API_KEY = "da2-syncline-local-example-key"


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_https_and_wss(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCLINE_")}
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "server.py"), "serve", str(EXAMPLE), "--port", str(port),
         "--data-dir", str(tmp_path / "data"), "--log-level", "warning",
         "--ssl-certfile", str(cert), "--ssl-keyfile", str(key)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    context = ssl.create_default_context(cafile=str(cert))
    base = f"https://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            try:
                health = httpx.get(f"{base}/health", verify=context, timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the TLS server did not start"
                time.sleep(0.1)
        assert health.json()["status"] == "ok"

        async def run() -> None:
            header = base64.urlsafe_b64encode(
                json.dumps({"host": f"127.0.0.1:{port}", "x-api-key": API_KEY}).encode()
            ).decode()
            async with websockets.connect(
                f"wss://127.0.0.1:{port}/graphql/realtime",
                subprotocols=["graphql-ws", f"header-{header.rstrip('=')}"],  # type: ignore[list-item]
                ssl=context,
            ) as ws:
                await ws.send(json.dumps({"type": "connection_init"}))
                ack = json.loads(await asyncio.wait_for(ws.recv(), 5))
                assert ack == {"type": "connection_ack", "payload": {"connectionTimeoutMs": 300000}}

        asyncio.run(run())
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()
