"""The command line (`python -m sync.client`) and TLS verification against a CA bundle."""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sync.client.config import ClientConfig
from sync.client.engine import register_device
from sync.client.errors import TlsError
from tests.sync.e2e.harness import (
    PASSWORD,
    REPO_ROOT,
    Laptop,
    LiveServer,
    free_port,
    household_content,
    new_public_key,
    store_checksum,
)

LaptopFactory = Callable[[str], Laptop]


@pytest.mark.slow
def test_cli_syncs_a_profile_with_the_password_from_the_environment_or_stdin(
    server: LiveServer, laptop_factory: LaptopFactory
) -> None:
    fw1 = laptop_factory("fw1")
    fw1.db.create_household(grid_id="G1", content=household_content("孙八", 1))
    fw1.close()

    status = fw1.cli("status", "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["pending"] == 2

    done = fw1.cli("sync", "--json", "--log-level", "debug")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["outcome"] == "ok" and report["applied"] == 2
    assert report["lease_expires_at"]  # the offline lease was renewed
    assert PASSWORD not in done.stdout + done.stderr  # never logged

    env = {k: v for k, v in os.environ.items() if k != "JIAFANG_PASSWORD"}
    by_stdin = subprocess.run(
        [sys.executable, "-m", "sync.client", "--profile", str(fw1.folder), "sync"],
        cwd=REPO_ROOT,
        env=env,
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert by_stdin.returncode == 0, by_stdin.stderr  # server and user from profile.json
    assert "ok: sent 0" in by_stdin.stdout
    status = fw1.cli("status")
    assert "waiting to send: 0" in status.stdout and "grid:G1" in status.stdout


@pytest.mark.slow
def test_cli_reports_offline_with_its_exit_code(laptop_factory: LaptopFactory) -> None:
    fw1 = laptop_factory("fw1")
    fw1.close()
    result = fw1.cli(
        "sync", "--connect-timeout", "0.2", url=f"http://127.0.0.1:{free_port()}", timeout=120
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "offline" in result.stdout


def _certificates(folder: Path) -> tuple[str, str, str]:
    """A private CA and a server certificate for 127.0.0.1 signed by it (PEM files)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Jiafang test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(paths[0]), str(paths[1]), str(paths[2])


@pytest.mark.slow
def test_tls_is_verified_against_the_configured_ca_bundle(tmp_path: Path) -> None:
    ca, cert, key = _certificates(tmp_path)
    live = LiveServer(tmp_path / "tls")
    live.tls, live.ca_file = (cert, key), ca
    live.seed()
    live.start()
    try:
        fw1 = Laptop.register_with(live, "fw1", tmp_path / "laptop", ca_bundle=ca)
        fw1.db.create_household(grid_id="G1", content=household_content("周九", 1))
        trusted = fw1.engine(ca_bundle=ca).run_once()
        assert trusted.ok and trusted.applied == 2

        # Without the deployment's CA the same server is refused, at once and by name.
        untrusted = fw1.engine().run_once()
        assert untrusted.outcome == "tls" and untrusted.retries == 0
        fw1.close()
    finally:
        live.close()


@pytest.mark.slow
def test_the_server_serves_tls_itself_and_laptops_verify_it_against_the_ca(
    tmp_path: Path, database_url: str
) -> None:
    """`python -m sync.server --ssl-certfile … --ssl-keyfile …` (DEPLOY.md §3, "Directly"), on
    SQLite and PostgreSQL: a laptop with the deployment's CA bundle registers and syncs; one
    without it (system roots only) is refused at once, by name, engine and command line alike."""
    ca, cert, key = _certificates(tmp_path)
    live = LiveServer(tmp_path / "direct", database_url)
    live.tls, live.ca_file = (cert, key), ca
    live.seed()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIAFANG_")}
    env["JIAFANG_SERVER_MASTER_KEY"] = base64.b64encode(live.master_key).decode()
    command = [sys.executable, "-m", "sync.server", "--port", str(live.port)]
    command += ["--data-dir", str(live.data_dir), "--database-url", live.database_url]
    command += ["--ssl-certfile", cert, "--ssl-keyfile", key, "--log-format", "text"]
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = requests.get(live.url + "/health", timeout=2, verify=ca)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError((tmp_path / "server.log").read_text()) from None
                time.sleep(0.2)
        assert health.status_code == 200 and live.url.startswith("https://")
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(live.url + "/health", timeout=2)  # not a CA anybody else trusts

        fw1 = Laptop.register_with(live, "fw1", tmp_path / "laptop", ca_bundle=ca)
        fw1.db.create_household(grid_id="G1", content=household_content("吴十", 1))
        trusted = fw1.engine(ca_bundle=ca).run_once()
        assert trusted.ok and trusted.applied == 2 and trusted.buckets == ["grid:G1", "reference"]
        assert live.checksum("grid:G1") == store_checksum(fw1, "grid:G1")

        untrusted = fw1.engine().run_once()
        assert untrusted.outcome == "tls" and untrusted.retries == 0
        assert "certificate could not be verified" in untrusted.message_en
        assert "unable to get local issuer certificate" in untrusted.message_en
        assert "CA bundle" in untrusted.message_en
        with pytest.raises(TlsError):
            register_device(ClientConfig(server_url=live.url), "fw2", PASSWORD, new_public_key())
        fw1.close()

        cli = [sys.executable, "-m", "sync.client", "--profile", str(tmp_path / "laptop")]
        cli_env = dict(env, JIAFANG_PASSWORD=PASSWORD)
        refused = subprocess.run(
            [*cli, "sync"], cwd=REPO_ROOT, env=cli_env, capture_output=True, text=True, timeout=60
        )
        assert refused.returncode != 0
        assert "tls: The server's certificate could not be verified" in refused.stdout
        accepted = subprocess.run(
            [*cli, "sync", "--ca-bundle", ca],
            cwd=REPO_ROOT,
            env=cli_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert accepted.returncode == 0, accepted.stdout + accepted.stderr
        assert accepted.stdout.startswith("ok:")
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.terminate()  # uvicorn: a second signal stops waiting for idle connections
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        log.close()
        live.close()
