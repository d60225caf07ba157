"""pipeline.embedded_pg against a real embedded PostgreSQL (no mocks).

Data dirs live in short temp folders under /tmp, never in the repo's var/.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from pipeline import embedded_pg
from pipeline.embedded_pg import (
    DATABASES,
    EmbeddedPostgresError,
    ensure_server,
    resolve_data_dir,
    stop_server,
)

REPO = Path(__file__).resolve().parents[1]
KEYS = {"p3", "ecole", "validation", "production"}


def _tmp_base() -> Path:
    base = Path(tempfile.mkdtemp(prefix="imilo-pgt-", dir="/tmp"))
    base.chmod(0o755)  # our own folder; run as root, the server's user must traverse it
    return base


@pytest.fixture(scope="module")
def data_dir() -> Iterator[Path]:
    base = _tmp_base()
    try:
        yield base / "pg"
    finally:
        stop_server(base / "pg")
        shutil.rmtree(base)


def _postmaster_pid(data_dir: Path) -> int | None:
    try:
        return int((data_dir / "data" / "postmaster.pid").read_text().split("\n", 1)[0])
    except FileNotFoundError:
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat")
    return not state.exists() or state.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def _query(url: str, query: str) -> tuple:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return tuple(conn.execute(sa.text(query)).one())
    finally:
        engine.dispose()


def _execute(url: str, statement: str) -> None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(statement))
    finally:
        engine.dispose()


def _ready_lines(data_dir: Path) -> int:
    return (data_dir / "postgres.log").read_text().count("ready to accept connections")


def test_ensure_twice_reuses_the_running_server(data_dir: Path) -> None:
    first = ensure_server(data_dir)
    pid = _postmaster_pid(data_dir)
    assert pid is not None and _alive(pid)
    started = _query(first["p3"], "select pg_postmaster_start_time()")

    t0 = time.perf_counter()
    second = ensure_server(data_dir)
    elapsed = time.perf_counter() - t0

    assert second == first
    assert set(first) == KEYS
    assert elapsed < 0.5, f"reusing the running server took {elapsed:.2f}s"
    assert _postmaster_pid(data_dir) == pid
    assert _query(second["p3"], "select pg_postmaster_start_time()") == started
    assert _ready_lines(data_dir) == 1  # a single server start in the log


def test_four_databases_accept_connections(data_dir: Path) -> None:
    urls = ensure_server(data_dir)
    expected = {
        "p3": "p3",
        "ecole": "imilo_ecole",
        "validation": "imilo_validation",
        "production": "imilo_production",
    }
    assert set(expected.values()) == set(DATABASES)
    for key, url in urls.items():
        assert url.startswith("postgresql+psycopg://")
        assert _query(url, "select 1, current_database()") == (1, expected[key])
    # Unix socket only, in a short private folder: nothing listens on TCP (no clash with :5432)
    listen, port, sock_dir = _query(
        urls["p3"],
        "select current_setting('listen_addresses'), current_setting('port'),"
        " current_setting('unix_socket_directories')",
    )
    assert listen == "" and port != "5432"
    assert len(f"{sock_dir}/.s.PGSQL.{port}") < 100
    assert stat.S_IMODE(os.stat(sock_dir).st_mode) == 0o700


def test_stop_then_ensure_again(data_dir: Path) -> None:
    urls = ensure_server(data_dir)
    _execute(urls["production"], "create table if not exists kept (x int)")
    pid = _postmaster_pid(data_dir)
    assert pid is not None

    stop_server(data_dir)
    assert _postmaster_pid(data_dir) is None and not _alive(pid)
    assert not Path(sa.make_url(urls["p3"]).query["host"]).exists()  # socket dir removed
    stop_server(data_dir)  # already stopped: no-op

    t0 = time.perf_counter()
    again = ensure_server(data_dir)
    elapsed = time.perf_counter() - t0
    assert again == urls
    assert elapsed < 3, f"restarting an initialised server took {elapsed:.2f}s"
    new_pid = _postmaster_pid(data_dir)
    assert new_pid is not None and new_pid != pid
    assert _query(again["production"], "select to_regclass('kept') is not null") == (True,)


@pytest.mark.parametrize("kind", ["dead_pid", "pid_reused"])
def test_stale_pid_file_is_cleaned_up(data_dir: Path, kind: str) -> None:
    urls = ensure_server(data_dir)
    pid_file = data_dir / "data" / "postmaster.pid"
    lines = pid_file.read_text().splitlines()
    stop_server(data_dir)
    # A live pid that is not a postgres is what a reboot can leave behind.
    fake = _dead_pid() if kind == "dead_pid" else os.getpid()
    lines[0] = str(fake)
    pid_file.write_text("\n".join(lines) + "\n")  # status line still says "ready"

    assert ensure_server(data_dir) == urls
    assert _postmaster_pid(data_dir) not in (None, fake)
    assert _query(urls["p3"], "select 1") == (1,)


def test_restarts_after_a_crash(data_dir: Path) -> None:
    urls = ensure_server(data_dir)
    pid = _postmaster_pid(data_dir)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)  # postmaster.pid stays behind, its children die on their own

    assert ensure_server(data_dir) == urls
    new_pid = _postmaster_pid(data_dir)
    assert new_pid not in (None, pid) and _alive(new_pid)
    assert _query(urls["validation"], "select 1") == (1,)


def _dead_pid() -> int:
    with subprocess.Popen(["true"]) as proc:
        proc.wait()
    assert not _alive(proc.pid)
    return proc.pid


def test_concurrent_callers_start_a_single_server() -> None:
    base = _tmp_base()
    target = base / "pg"
    code = (
        "import json, sys; from pathlib import Path;"
        " from pipeline.embedded_pg import ensure_server;"
        " print(json.dumps(ensure_server(Path(sys.argv[1]))))"
    )
    try:
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", code, str(target)],
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
            results.append(json.loads(out))
        assert results[0] == results[1]
        assert set(results[0]) == KEYS
        assert _ready_lines(target) == 1  # one initdb, one start
        pid = _postmaster_pid(target)
        assert pid is not None and _alive(pid)
    finally:
        stop_server(target)
        shutil.rmtree(base)


@pytest.mark.skipif(os.geteuid() != 0, reason="the permission check only applies as root")
def test_refuses_to_loosen_a_private_parent() -> None:
    base = Path(tempfile.mkdtemp(prefix="imilo-pgt-", dir="/tmp"))  # drwx------
    try:
        with pytest.raises(EmbeddedPostgresError, match="IMILO_PG_DATA"):
            ensure_server(base / "sub" / "pg")
        assert stat.S_IMODE(base.stat().st_mode) == 0o700
        assert list(base.iterdir()) == []  # nothing created either
    finally:
        shutil.rmtree(base)


def test_stop_without_data_is_a_noop() -> None:
    base = _tmp_base()
    try:
        stop_server(base / "pg")
        assert list(base.iterdir()) == []
    finally:
        shutil.rmtree(base)


def test_resolve_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("IMILO_PG_DATA", raising=False)
    assert resolve_data_dir() == REPO / "var" / "pg" == embedded_pg.DEFAULT_DATA_DIR
    monkeypatch.setenv("IMILO_PG_DATA", str(tmp_path / "env"))
    assert resolve_data_dir() == tmp_path / "env"
    assert resolve_data_dir(tmp_path / "arg") == tmp_path / "arg"
