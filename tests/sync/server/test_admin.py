"""The admin command line end to end, on SQLite and PostgreSQL: regions, agency, users, devices,
imports with their per-row report, tasks, revocation, and the demo data set the README's demo
runs the server with."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from sync.server import admin
from sync.server.app import create_app
from sync.server.config import load_settings
from sync.server.db import make_engine
from sync.server.models import Device, Task, User
from tests.sync.server.conftest import new_public_key
from tests.sync.server.test_import import HEADER, bad_check_digit, id_number


def cli(
    capsys: pytest.CaptureFixture[str], data_dir: Path, url: str, *argv: str
) -> tuple[int, str]:
    code = admin.main([*argv, "--data-dir", str(data_dir), "--database-url", url])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_admin_cli_sets_up_a_site(
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = tmp_path / "srv"
    for argv in (
        ("create-region", "D", "--level", "district", "--name", "区"),
        ("create-region", "S", "--level", "street", "--name", "街道", "--parent", "D"),
        ("create-region", "C", "--level", "community", "--name", "社区", "--parent", "S"),
        ("create-region", "G", "--level", "grid", "--name", "网格", "--parent", "C"),
        ("create-agency", "A", "--name", "机构"),
    ):
        code, out = cli(capsys, data, database_url, *argv)
        assert code == 0, out
    code, out = cli(
        capsys,
        data,
        database_url,
        "create-region",
        "G",
        "--level",
        "grid",
        "--name",
        "x",
        "--parent",
        "C",
    )
    assert code == 1 and "already exists" in out
    code, out = cli(
        capsys,
        data,
        database_url,
        "create-region",
        "X",
        "--level",
        "grid",
        "--name",
        "x",
        "--parent",
        "D",
    )
    assert code == 1 and "refused" in out  # a grid's parent must be a community

    code, out = cli(
        capsys, data, database_url, "create-user", "sup", "--role", "supervisor", "--region", "S"
    )
    assert code == 0, out
    generated = re.search(r"initial password \(shown once\): (\S+)", out)
    assert generated is not None
    monkeypatch.setattr("sys.stdin", io.StringIO("worker-password-1\n"))
    code, out = cli(
        capsys,
        data,
        database_url,
        "create-user",
        "w",
        "--role",
        "field_worker",
        "--grid",
        "G",
        "--password-stdin",
    )
    assert code == 0 and "initial password" not in out
    code, out = cli(capsys, data, database_url, "create-user", "c", "--role", "contractor")
    assert code == 1 and "agency" in out  # agency staff need an agency

    sheet_path = tmp_path / "h.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["1", "G", "Hu", "Road 1", "低保", "", "Hu", id_number(21), "户主", "", "", ""])
    sheet.append(
        [
            "2",
            "G",
            "Ma",
            "Road 2",
            "低保",
            "",
            "Ma",
            bad_check_digit(id_number(22)),
            "户主",
            "",
            "",
            "",
        ]
    )
    workbook.save(sheet_path)
    report_path = tmp_path / "report.json"
    code, out = cli(
        capsys,
        data,
        database_url,
        "import-households",
        str(sheet_path),
        "--report",
        str(report_path),
    )
    assert code == 2, out  # some rows refused, the good ones imported
    assert "2 rows, 1 imported, 1 refused" in out
    assert "row 3 [id_number]" in out and "check character" in out
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["imported"] == 1 and report["refused"][0]["row"] == 3

    settings = load_settings(data, database_url, env={})
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            assert session.exec(select(Task)).all() == []  # no task before create-task
        app = create_app(settings)
        with TestClient(app) as client:
            login = client.post(
                "/v1/auth/register-device",
                json={
                    "username": "sup",
                    "password": generated.group(1),
                    "public_key": new_public_key(),
                },
            )
            assert login.status_code == 201, login.text
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            listed = client.get("/v1/households", headers=headers).json()
            assert listed["count"] == 1
            household_id = listed["households"][0]["id"]
        app.state.context.engine.dispose()

        code, out = cli(
            capsys,
            data,
            database_url,
            "create-task",
            "--kind",
            "periodic_review",
            "--agency",
            "A",
            "--household",
            household_id,
        )
        assert code == 0, out
        task_id = re.search(r"task (\S+) created with 1 households", out)
        assert task_id is not None
        code, out = cli(capsys, data, database_url, "close-task", task_id.group(1))
        assert code == 0, out
        code, out = cli(capsys, data, database_url, "close-task", task_id.group(1))
        assert code == 1 and "already closed" in out
        code, out = cli(
            capsys,
            data,
            database_url,
            "create-task",
            "--kind",
            "periodic_review",
            "--assignee",
            "w",
            "--household",
            "nope",
        )
        assert code == 1

        code, out = cli(
            capsys,
            data,
            database_url,
            "create-device",
            "w",
            "--public-key",
            new_public_key(),
            "--name",
            "laptop 7",
        )
        assert code == 0, out
        device_id = re.search(r"device (\S+) registered", out)
        assert device_id is not None
        code, out = cli(capsys, data, database_url, "revoke-device", device_id.group(1))
        assert code == 0, out
        code, out = cli(capsys, data, database_url, "revoke-user", "w")
        assert code == 0, out
        with Session(engine) as session:
            device = session.get(Device, device_id.group(1))
            assert device is not None and device.revoked_at is not None
            worker = session.exec(select(User).where(User.username == "w")).one()
            assert worker.revoked_at is not None
            task = session.get(Task, task_id.group(1))
            assert task is not None and task.status == "closed"
    finally:
        engine.dispose()
    code, out = cli(capsys, data, database_url, "revoke-user", "nobody")
    assert code == 1 and "No user named nobody" in out


@pytest.mark.slow
def test_seed_demo_gives_a_working_demo_server(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "demo"
    code, out = cli(capsys, data, database_url, "seed-demo", "--households", "40")
    assert code == 0, out
    for name in (
        "demo-admin",
        "demo-supervisor",
        "demo-worker-1",
        "demo-worker-2",
        "demo-agency-admin",
        "demo-contractor-1",
        "demo-contractor-2",
    ):
        assert name in out
    password = re.search(r"password: (\S+)", out)
    assert password is not None
    code, out = cli(capsys, data, database_url, "seed-demo")
    assert code == 1 and "already" in out

    app = create_app(load_settings(data, database_url, env={}))
    try:
        with TestClient(app) as client:

            def login(name: str) -> dict[str, str]:
                response = client.post(
                    "/v1/auth/register-device",
                    json={
                        "username": name,
                        "password": password.group(1),
                        "public_key": new_public_key(),
                    },
                )
                assert response.status_code == 201, response.text
                return {"Authorization": f"Bearer {response.json()['access_token']}"}

            worker = login("demo-worker-1")
            worker_buckets = client.get("/v1/sync/buckets", headers=worker).json()["buckets"]
            assert any(b.startswith("grid:") for b in worker_buckets)
            assert any(b.startswith("task:") for b in worker_buckets)  # the periodic-review task
            grid = next(b for b in worker_buckets if b.startswith("grid:"))
            page = client.get("/v1/sync/pull", params={"bucket": grid}, headers=worker).json()
            assert any(r["entity"] == "household" for r in page["records"])
            contractor = login("demo-contractor-1")
            tasks = client.get("/v1/tasks", headers=contractor).json()["tasks"]
            assert any(t["assignee_user_id"] is not None and t["households"] > 0 for t in tasks)
            supervisor = login("demo-supervisor")
            queue = client.get("/v1/reviews/queue", headers=supervisor).json()
            assert queue["count"] > 0
            # Seeded visits carry device signatures; one was altered after signing, on purpose.
            outcomes = [v["device_signature"]["outcome"] for v in queue["visits"]]
            assert outcomes.count("invalid") == 1
            assert outcomes.count("verified") == len(outcomes) - 1
            flags = client.get("/v1/eligibility-flags", headers=supervisor).json()
            assert flags["count"] == 1  # the demo's deliberately wrong laptop result
            assert client.get("/v1/clues", headers=supervisor).json()["count"] > 0
    finally:
        app.state.context.engine.dispose()
