"""
harness — a real `consulta serve` for each test class (or test), and the
HTTP helpers the tests use.

Each server gets a fresh SQLite database in its own temporary directory,
made with `consulta init` and `consulta demo` (the non-live demo: the real
2020/2021 dates), and a frozen clock (CONSULTA_NOW) chosen by the test. It
listens on a free loopback port (--listen 127.0.0.1:0) and says which on its
first line of standard output. It is stopped with SIGTERM; its standard error
is read after every test and when it stops, and any AddressSanitizer, UBSan
or LeakSanitizer report there fails the test that caused it (leaks, reported
at exit, fail the test or the class that started the server).

With CONSULTA_TEST_DB=postgresql, each server gets a fresh PostgreSQL
database instead: a private PostgreSQL 15 is started on first use
(tests/pg/start.sh, under a temporary directory, on a free port; stopped when
the run ends) unless CONSULTA_TEST_PG_URL names a running one
(postgresql://USER@HOST:PORT/, a superuser), a template database is migrated
once (`consulta init`), and each server's database is a copy of it (CREATE
DATABASE ... TEMPLATE: fast). Server.query() and connect() read either
backend; no test opens server.db with sqlite3 itself. A test that crashes
PostgreSQL or fills its disk has one of its own (PrivatePostgres), and a
Server may be given its database (db=, ready=).

Only the standard library is used. Every wait is bounded.
"""

import base64
import atexit
import ctypes
import hashlib
import hmac
import html
import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# Bounds, in seconds. The sanitizer build is slow; these are ceilings, not waits.
START_TIMEOUT = 20
STOP_TIMEOUT = 20
COMMAND_TIMEOUT = 30
HTTP_TIMEOUT = 20

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer", "ERROR: ThreadSanitizer")

# The same sanitizer settings as scripts/run-tests.sh, when run.py is run by hand.
os.environ.setdefault("ASAN_OPTIONS", "abort_on_error=0:detect_leaks=1:halt_on_error=1")
os.environ.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
os.environ.setdefault("LSAN_OPTIONS", "suppressions=" + os.path.join(ROOT, "tests", "lsan.supp"))

# Instants of the demo, in UTC. Call 1 ("written inputs") is open from the
# start of 23 December 2020 to the end of 15 February 2021 in Europe/Zurich;
# call 2 from the start of 1 March 2021 to the end of 10 March 2021.
# The visitor id a browser would have in its consulta_csrf cookie (43 base64url characters). The
# token of its forms is not this id but the server key's HMAC of it: Server.csrf_token().
CSRF_TOKEN = "T" * 43

CALL1_OPEN = "2021-02-01T10:00:00Z"
CALL1_LAST_SECOND = "2021-02-15T22:59:59Z"
CALL1_FIRST_SECOND_CLOSED = "2021-02-15T23:00:00Z"

SLUG = "gca-guidelines"

# The password of the tests' accounts: Server.account_token's default, and ServerTestCase.login's.
PASSWORD = "a long passphrase for the tests"


try:  # looked up now: nothing may be imported between fork and exec
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):
    _prctl = None


def _die_with_the_runner():
    """In the child before exec: be killed if the test runner dies, so no server outlives a killed run."""
    if _prctl:
        _prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)


def binary():
    """The consulta binary: $CONSULTA_BIN, or build-test/consulta; relative paths from the repository."""
    path = os.environ.get("CONSULTA_BIN", "build-test/consulta")
    if not os.path.isabs(path) and not os.path.exists(path):
        path = os.path.join(ROOT, path)
    return os.path.abspath(path)


def sanitizer_report(text):
    """The first line of a sanitizer report in text, or None."""
    for line in text.splitlines():
        if any(m in line for m in SANITIZER_MARKERS):
            return line.strip()
    return None


# -- the database backend (CONSULTA_TEST_DB) ----------------------------

TEST_DB = os.environ.get("CONSULTA_TEST_DB", "sqlite")
if TEST_DB not in ("sqlite", "postgresql"):
    raise RuntimeError("CONSULTA_TEST_DB must be sqlite or postgresql")
PG_WRITE_LOCK = 4242001  # the advisory lock of db_pg.c's writers (PG_WRITE_LOCK there)
_pg_prefix = None      # postgresql://consulta@127.0.0.1:PORT/ once the server is there
_pg_template = None    # the migrated template database's name


def db_url(db):
    """The --db argument for db: a postgresql:// URL as it is, a path as sqlite:PATH."""
    return db if db.startswith("postgresql://") else "sqlite:" + db


def psql(url, sql, timeout=COMMAND_TIMEOUT, raw=False):
    """Runs sql with psql on url; returns its rows as lists of strings (None for NULL), or with raw its
    whole output."""
    for attempt in range(4):
        p = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-F", "\x1f", "-P",
                            "null=\x1e", "-d", url, "-c", sql], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout, text=True)
        # A test's own change, made beside the server's writer (which holds its lock, the test does not), may
        # take rows in another order than the writer's transaction (contribution_tally's triggers): PostgreSQL
        # ends one of the two with a deadlock. When it is the test's, its statement is its whole transaction and
        # is simply run again, as an application would.
        if p.returncode == 0 or "deadlock detected" not in p.stderr:
            break
        time.sleep(0.1 * (attempt + 1))
    if p.returncode != 0:
        raise RuntimeError("psql failed: %s\n%s" % (sql, p.stderr))
    if raw:
        return p.stdout
    return [[None if v == "\x1e" else v for v in line.split("\x1f")] for line in p.stdout.splitlines()]


def _pg_start():
    """The URL prefix of the tests' PostgreSQL, started (and a template migrated) on first use."""
    global _pg_prefix, _pg_template
    if _pg_prefix:
        return _pg_prefix
    prefix = os.environ.get("CONSULTA_TEST_PG_URL")
    if not prefix:
        d = tempfile.mkdtemp(prefix="consulta-pg-")
        os.chmod(d, 0o755)
        prefix = subprocess.run([os.path.join(ROOT, "tests", "pg", "start.sh"), d + "/pg"], check=True,
                                stdout=subprocess.PIPE, timeout=120, text=True).stdout.strip()
        atexit.register(lambda: (subprocess.run([os.path.join(ROOT, "tests", "pg", "stop.sh"), d + "/pg"],
                                                timeout=60), shutil.rmtree(d, ignore_errors=True)))
    template = "consulta_template_%d" % os.getpid()
    psql(prefix + "postgres", "DROP DATABASE IF EXISTS %s" % template)
    psql(prefix + "postgres", "CREATE DATABASE %s" % template)
    p = run_command(["init"], db=prefix + template)
    if p.returncode != 0:
        raise RuntimeError("consulta init on PostgreSQL failed: %s" % p.stderr)
    _pg_prefix, _pg_template = prefix, template
    return prefix


def pg_new_database(name):
    """A new, empty database on the tests' PostgreSQL (started if it is not yet, whatever CONSULTA_TEST_DB says):
    its URL. Dropped when the run ends (with the server), or by pg_drop()."""
    prefix = _pg_start()
    name = "%s_%d" % (name, os.getpid())
    psql(prefix + "postgres", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
    psql(prefix + "postgres", "CREATE DATABASE %s" % name)
    return prefix + name


def pg_database_for(workdir):
    """The PostgreSQL database of a server whose files are in workdir (the same for a server started
    again there); made from the migrated template if it is not there yet. Its URL."""
    prefix = _pg_start()
    name = "c_%d_%s" % (os.getpid(), hashlib.sha1(workdir.encode()).hexdigest()[:16])
    if not psql(prefix + "postgres", "SELECT 1 FROM pg_database WHERE datname = '%s'" % name):
        psql(prefix + "postgres", "CREATE DATABASE %s TEMPLATE %s" % (name, _pg_template))
    return prefix + name


def pg_drop(url):
    prefix, name = url.rsplit("/", 1)
    psql(prefix + "/postgres", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)


def _as_postgres(args):
    """args run as the postgres user when this runs as root (PostgreSQL refuses root), else as they are."""
    return (["runuser", "-u", "postgres", "--"] + args) if os.geteuid() == 0 else args


class PrivatePostgres:
    """A PostgreSQL of one test's own (tests/pg/start.sh), for the tests that crash it or fill its disk, which
    the run's shared one must not suffer: crash() stops it as a power cut would stop it (pg_ctl -m immediate:
    no checkpoint, no flush; what it acknowledged must come back from its WAL), start() starts it again (crash
    recovery), close() stops it and removes it. options: more server settings (-c name=value ...)."""

    BIN = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")

    def __init__(self, options="", parent=None):
        self.root = tempfile.mkdtemp(prefix="consulta-pgown-", dir=parent)
        os.chmod(self.root, 0o755)
        self.dir = os.path.join(self.root, "pg")
        self.options = options
        self.prefix = None
        self.start()

    def start(self):
        env = dict(os.environ, PG_OPTIONS=self.options)
        self.prefix = subprocess.run([os.path.join(ROOT, "tests", "pg", "start.sh"), self.dir], check=True, env=env,
                                     stdout=subprocess.PIPE, timeout=120, text=True).stdout.strip()
        return self.prefix

    def crash(self):
        subprocess.run(_as_postgres([os.path.join(self.BIN, "pg_ctl"), "-D", os.path.join(self.dir, "data"), "-m",
                                     "immediate", "-w", "stop"]), check=True, stdout=subprocess.DEVNULL,
                       timeout=COMMAND_TIMEOUT)

    def database(self, name, settings=()):
        """A new empty database's URL; settings: (name, value) pairs made its defaults (ALTER DATABASE SET)."""
        psql(self.prefix + "postgres", "CREATE DATABASE %s" % name)
        for k, v in settings:
            psql(self.prefix + "postgres", "ALTER DATABASE %s SET %s = %s" % (name, k, v))
        return self.prefix + name

    def close(self):
        subprocess.run([os.path.join(ROOT, "tests", "pg", "stop.sh"), self.dir], timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)


def sql_literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, bytes):
        return "'\\x%s'::bytea" % v.hex()
    return "'" + str(v).replace("'", "''") + "'"


def _pg_text(sql, params):
    parts = sql.split("?")
    if len(parts) - 1 != len(params):
        raise ValueError("placeholders and parameters differ in number: %s" % sql)
    return parts[0] + "".join(sql_literal(v) + rest for v, rest in zip(params, parts[1:]))


def _pg_value(v):
    if isinstance(v, str) and v.startswith("\\x") and re.fullmatch(r"\\x(?:[0-9a-f]{2})*", v):
        return bytes.fromhex(v[2:])  # bytea, which SQLite gives as bytes
    return v


def db_query(db, sql, params=()):
    """Rows (tuples) of sql (with ? placeholders) on db, a SQLite path or a postgresql:// URL. On
    PostgreSQL a query's rows travel as JSON (json_agg), so numbers come back as numbers and bytea as
    bytes, as from SQLite; a statement that is no query returns []."""
    if not db.startswith("postgresql://"):
        with sqlite3.connect(db, timeout=10) as c:
            return c.execute(sql, params).fetchall()
    text = _pg_text(sql, params)
    if re.match(r"\s*(SELECT|WITH|VALUES)\b", text, re.I):
        wrapped = "SELECT coalesce(json_agg(t), '[]') FROM (%s) t" % text
    elif re.search(r"\bRETURNING\b", text, re.I):  # a change's returned rows: a data-modifying WITH
        wrapped = "WITH t AS (%s) SELECT coalesce(json_agg(t), '[]') FROM t" % text
    else:
        psql(db, text)
        return []
    out = psql(db, wrapped, raw=True)
    rows = json.loads(out, object_pairs_hook=lambda pairs: tuple(_pg_value(v) for _, v in pairs))
    return rows


class _PgCursor:
    def __init__(self, rows):
        self.rows = rows

    def fetchone(self):
        return self.rows[0] if self.rows else None

    def fetchall(self):
        return list(self.rows)

    def __iter__(self):
        return iter(self.rows)


class _PgConnection:
    """Just enough of sqlite3's connection for the tests' own reads and writes, on PostgreSQL: execute()
    (each statement commits at once), fetchone/fetchall/iteration, use as a context manager; PRAGMA
    table_info(T) answers from information_schema (cid, name)."""

    def __init__(self, url):
        self.url = url
        self.holder = None  # a psql holding the writers' lock (BEGIN EXCLUSIVE)

    def _hold(self):
        """SQLite's BEGIN EXCLUSIVE/IMMEDIATE: the advisory lock every writer of db_pg.c takes, held by a
        psql session until ROLLBACK, COMMIT or close()."""
        self.holder = subprocess.Popen(["psql", "-X", "-q", "-A", "-t", "-d", self.url], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.holder.stdin.write("BEGIN;\nSELECT pg_advisory_xact_lock(%d);\n\\echo locked\n" % PG_WRITE_LOCK)
        self.holder.stdin.flush()
        for _ in range(3):  # the lock is free: psql answers at once (an empty line for the SELECT, then this)
            line = self.holder.stdout.readline()
            if line.strip() == "locked":
                return
        self._release()
        raise RuntimeError("psql did not take the write lock")

    def _release(self):
        if self.holder:
            try:
                self.holder.communicate("ROLLBACK;\n", timeout=COMMAND_TIMEOUT)
            finally:
                self.holder = None

    def execute(self, sql, params=()):
        if re.fullmatch(r"\s*BEGIN (EXCLUSIVE|IMMEDIATE)\s*", sql, re.I):
            self._hold()
            return _PgCursor([])
        if re.fullmatch(r"\s*(ROLLBACK|COMMIT)\s*", sql, re.I):
            self._release()
            return _PgCursor([])
        m = re.fullmatch(r"\s*PRAGMA table_info\((\w+)\)\s*", sql)
        if m:
            return _PgCursor(db_query(self.url, "SELECT ordinal_position - 1, column_name FROM "
                                                "information_schema.columns WHERE table_name = ? "
                                                "ORDER BY ordinal_position", (m.group(1),)))
        try:
            return _PgCursor(db_query(self.url, sql, params))
        except RuntimeError as e:  # as sqlite3 would raise it, for the tests that expect a refusal
            raise sqlite3.DatabaseError(str(e)) from None

    def commit(self):
        self._release()

    def rollback(self):
        self._release()

    def close(self):
        self._release()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._release()
        return False

    def executemany(self, sql, rows):
        """All rows in one psql run, one transaction: an INSERT ... VALUES (?, ...) as multi-row INSERTs of
        500 rows (as a bulk load writes them: statement-level triggers see 500 rows at once), anything else
        one statement per row. Hundreds of thousands of rows in seconds."""
        rows = list(rows)
        m = re.fullmatch(r"(\s*INSERT\s+INTO\s+[^;]*?\bVALUES\s*)(\(.*\))\s*", sql, re.I | re.S)
        if m and not re.search(r"\b(ON\s+CONFLICT|RETURNING|SELECT)\b|\)\s*,\s*\(", m.group(2), re.I):
            script = "".join(m.group(1) + ", ".join(_pg_text(m.group(2), row) for row in rows[i:i + 500]) + ";\n"
                             for i in range(0, len(rows), 500))
        else:
            script = "".join(_pg_text(sql, row) + ";\n" for row in rows)
        p = subprocess.run(["psql", "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", self.url, "-f", "-"],
                           input=script, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           timeout=COMMAND_TIMEOUT * 4)
        if p.returncode != 0:
            raise sqlite3.DatabaseError("psql failed: %s" % p.stderr)
        return _PgCursor([])


def connect(db, timeout=10, **kwargs):
    """sqlite3.connect(db) for a SQLite path; for a postgresql:// URL, a stand-in with the same
    execute/fetch calls (see _PgConnection). The tests' direct reads use this to run on either backend."""
    if db.startswith("postgresql://"):
        return _PgConnection(db)
    return sqlite3.connect(db, timeout=timeout, **kwargs)


def connect_ro(db, **kwargs):
    """connect(), read-only on SQLite (mode=ro)."""
    if db.startswith("postgresql://"):
        return _PgConnection(db)
    return sqlite3.connect("file:%s?mode=ro" % db, uri=True, **kwargs)


def run_command(args, now=None, db=None, timeout=COMMAND_TIMEOUT, env=None):
    """Runs `consulta [--db sqlite:DB | --db postgresql://...] ARGS` to its end; returns CompletedProcess
    (text).

    A sanitizer report in its standard error raises AssertionError."""
    cmd = [binary()]
    if db:
        cmd += ["--db", db_url(db)]
    cmd += list(args)
    e = dict(os.environ)
    e.pop("CONSULTA_NOW", None)
    if now:
        e["CONSULTA_NOW"] = now
    if env:
        e.update(env)
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, env=e, text=True, errors="replace")
    report = sanitizer_report(p.stderr)
    if report:
        raise AssertionError("sanitizer report from %s: %s\n%s" % (" ".join(args), report, p.stderr[-4000:]))
    return p


class Response:
    """An HTTP answer: status, headers (case-insensitive get), body bytes, text, json()."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        return self.headers.get(name)

    @property
    def text(self):
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def __repr__(self):
        return "<Response %d %r>" % (self.status, self.body[:300])


class Server:
    """One `consulta serve` with its own database and a frozen clock."""

    def __init__(self, now, demo=True, threads=None, workdir=None, global_args=None, serve_args=None, env=None,
                 db=None, ready=False):
        self.now = now
        self.env = dict(env or {})  # for `serve` only (init and demo run without it)
        self.demo = demo
        self.threads = threads
        self.global_args = list(global_args or [])  # before the command: --public-url, --mail-from
        self.serve_args = list(serve_args or [])    # after "serve": --smtp
        self.owns_dir = workdir is None
        self.dir = workdir or tempfile.mkdtemp(prefix="consulta-integ-")
        # The database: a file here, or (CONSULTA_TEST_DB=postgresql) a PostgreSQL database named after
        # this folder; prepared says whether init (and demo) ran on it.
        self.owns_db = db is None
        if db:  # a database of the test's own (a path or a URL): made ready at start unless it is ready
            self.db = db
            self.prepared = ready
        elif TEST_DB == "postgresql":
            self.db = pg_database_for(self.dir)
            self.prepared = bool(db_query(self.db, "SELECT 1 FROM process"))
        else:
            self.db = os.path.join(self.dir, "consulta.db")
            self.prepared = None
        self.proc = None
        self.port = None
        self.stderr_path = None
        self.stderr_seen = 0
        self.generation = 0
        self.earlier_problems = []
        self.csrf_key = None

    # -- life ----------------------------------------------------------

    def prepare(self):
        """Creates the database and loads the demo (unless it is there already)."""
        p = run_command(["init"], now=self.now, db=self.db)
        if p.returncode != 0:
            raise RuntimeError("consulta init failed (%d): %s" % (p.returncode, p.stderr))
        if self.demo:
            p = run_command(["demo"], now=self.now, db=self.db)
            if p.returncode != 0:
                raise RuntimeError("consulta demo failed (%d): %s" % (p.returncode, p.stderr))

    def start(self, now=None):
        """Starts serving (on the same database if it was started before) and waits for its port."""
        if now:
            self.now = now
        if not (self.prepared if self.prepared is not None else os.path.exists(self.db)):
            self.prepare()
            if self.prepared is not None:
                self.prepared = True
        self.generation += 1
        self.stderr_path = os.path.join(self.dir, "serve-%d.err" % self.generation)
        self.stderr_seen = 0
        cmd = [binary(), "--db", db_url(self.db)] + self.global_args + ["serve", "--listen", "127.0.0.1:0"]
        if self.threads:
            cmd += ["--threads", str(self.threads)]
        cmd += self.serve_args
        env = dict(os.environ)
        env["CONSULTA_NOW"] = self.now
        env.update(self.env)
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                                         env=env, preexec_fn=_die_with_the_runner)
        line = self._first_line(START_TIMEOUT)
        m = re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)/", line.strip())
        if not m:
            self._kill()
            raise RuntimeError("consulta serve did not say where it listens: %r; stderr:\n%s"
                               % (line, self._read_stderr()[-4000:]))
        self.port = int(m.group(1))
        return self

    def _first_line(self, timeout):
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        data = b""
        while b"\n" not in data:
            left = deadline - time.monotonic()
            if left <= 0:
                self._kill()
                raise RuntimeError("consulta serve did not start within %ds" % timeout)
            poller = select.poll()  # not select(): a test may hold more than FD_SETSIZE descriptors
            poller.register(fd, select.POLLIN | select.POLLHUP)
            if not poller.poll(left * 1000):
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                code = self.proc.wait(timeout=STOP_TIMEOUT)
                raise RuntimeError("consulta serve exited (%s) before listening; stderr:\n%s"
                                   % (code, self._read_stderr()[-4000:]))
            data += chunk
        return data.split(b"\n", 1)[0].decode("utf-8", "replace")

    def stop(self):
        """SIGTERM and wait; returns the sanitizer report of its stderr (or a bad exit), or None."""
        if not self.proc:
            return "\n".join(self.earlier_problems) or None
        problem = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._kill()
                problem = "consulta serve did not stop within %ds of SIGTERM" % STOP_TIMEOUT
        code = self.proc.returncode
        self.proc.stdout.close()
        self.proc = None
        err = self._read_stderr()
        report = sanitizer_report(err)
        if report:
            problem = "sanitizer report: %s\n%s" % (report, err[-6000:])
        elif not problem and code != 0:
            problem = "consulta serve exited with status %s after SIGTERM; stderr:\n%s" % (code, err[-4000:])
        return "\n".join(self.earlier_problems + ([problem] if problem else [])) or None

    def kill9(self):
        """Kills the server at once (SIGKILL), as a crash or a power cut would."""
        if self.proc:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)
            self.proc.stdout.close()
            self.proc = None
            report = sanitizer_report(self._read_stderr())
            if report:  # held against the test when it stops the server
                self.earlier_problems.append("sanitizer report before kill -9: " + report)

    def _kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)

    def cleanup(self):
        self._kill()
        if self.owns_dir and self.owns_db and TEST_DB == "postgresql":
            pg_drop(self.db)
        if self.owns_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def _read_stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log(self):
        """All the server (this run of it) has written on stderr: its log."""
        return self._read_stderr()

    def new_stderr(self):
        """What the server wrote on stderr since the last call."""
        text = self._read_stderr()
        new = text[self.stderr_seen:]
        self.stderr_seen = len(text)
        return new

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    # -- HTTP ----------------------------------------------------------

    def request(self, method, path, body=None, headers=None, timeout=HTTP_TIMEOUT):
        """One request on a new connection; redirects are not followed."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            return Response(resp.status, resp.headers, data)
        finally:
            conn.close()

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def get_json(self, path):
        return self.request("GET", path, headers={"Accept": "application/json"})

    def post_json(self, path, obj, headers=None, timeout=HTTP_TIMEOUT):
        body = obj if isinstance(obj, (bytes, str)) else json.dumps(obj)
        if isinstance(body, str):
            body = body.encode("utf-8")
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        return self.request("POST", path, body=body, headers=h, timeout=timeout)

    def csrf_token(self, session=None, visitor=CSRF_TOKEN):
        """The CSRF token our pages give this browser: the server key's HMAC of its session if that session
        is live, else of its visitor id (the consulta_csrf cookie). The key is read from the database."""
        try:
            # kept once read: the key lives as long as the database (on PostgreSQL each query is a psql run)
            key = self.csrf_key or self.query("SELECT value FROM server_secret WHERE name = 'csrf'")[0][0]
        except sqlite3.OperationalError:  # a binary from before migration 007: the token was the cookie
            return visitor
        self.csrf_key = key
        live = session and self.query("SELECT 1 FROM session WHERE token_hash = ?",
                                      (hashlib.sha256(session.encode()).hexdigest(),))
        message = "session:" + session if live else "visitor:" + visitor
        mac = hmac.new(bytes.fromhex(key), message.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")

    def query(self, sql, params=()):
        """The rows of sql (? placeholders) on this server's database, SQLite or PostgreSQL (see db_query)."""
        return db_query(self.db, sql, params)

    def csrf_for_cookies(self, cookie_header):
        """csrf_token() for the browser that sends this Cookie header."""
        jar = dict(p.strip().split("=", 1) for p in (cookie_header or "").split(";") if "=" in p)
        return self.csrf_token(jar.get("consulta_session"), jar.get("consulta_csrf", CSRF_TOKEN))

    def post_form(self, path, fields, headers=None, csrf=True, timeout=HTTP_TIMEOUT):
        """POSTs a form as a browser that loaded our page would: with the CSRF
        cookie and the token our page gave it in the hidden field "csrf" (bound
        to the session of a Cookie header in headers, if any); csrf=False leaves
        both out; a string sends that field value instead."""
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        if csrf:
            h["Cookie"] = "consulta_csrf=" + CSRF_TOKEN
        h.update(headers or {})
        if isinstance(fields, bytes):
            body = fields
        else:
            fields = dict(fields)
            if csrf:
                fields.setdefault("csrf", csrf if isinstance(csrf, str) else self.csrf_for_cookies(h.get("Cookie")))
            body = urllib.parse.urlencode(fields).encode("ascii")
        return self.request("POST", path, body=body, headers=h, timeout=timeout)

    def send_json(self, method, path, obj=None, token=None, headers=None):
        """A JSON request (any method) with a body (obj: JSON-encoded unless bytes or str) and, with token, the
        header Authorization: Bearer TOKEN."""
        h = {"Content-Type": "application/json"}
        if token:
            h["Authorization"] = "Bearer " + token
        h.update(headers or {})
        body = None
        if obj is not None:
            body = obj if isinstance(obj, (bytes, str)) else json.dumps(obj)
            if isinstance(body, str):
                body = body.encode("utf-8")
        return self.request(method, path, body=body, headers=h)

    def account_token(self, email, role="secretariat", password=PASSWORD):
        """Creates an account with `consulta user add --password-stdin` and returns a new API token for it
        (`consulta token create`). Works while the server runs: the commands open the same database."""
        cmd = [binary(), "--db", db_url(self.db), "user", "add", "--role", role, "--email", email,
               "--password-stdin"]
        env = dict(os.environ)
        env["CONSULTA_NOW"] = self.now
        p = subprocess.run(cmd, input=password + "\n", stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=COMMAND_TIMEOUT, env=env, text=True, errors="replace")
        report = sanitizer_report(p.stderr)
        if report or p.returncode != 0:
            raise AssertionError("consulta user add failed (%d): %s" % (p.returncode, report or p.stderr))
        t = run_command(["token", "create", "--email", email], now=self.now, db=self.db)
        if t.returncode != 0:
            raise AssertionError("consulta token create failed (%d): %s" % (t.returncode, t.stderr))
        return t.stdout.strip()

    def raw(self, data, timeout=HTTP_TIMEOUT, read_until_close=True):
        """Sends raw bytes on a new socket; returns what came back (until close, or the headers and body)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(data)
            return read_response(s, read_until_close)

    # -- domain helpers -----------------------------------------------

    def contribute(self, call_id=1, **fields):
        """POSTs a valid contribution through the API (fields override); asserts 201; returns the JSON."""
        r = self.post_json("/api/v1/calls/%d/contributions" % call_id, contribution(**fields))
        if r.status != 201:
            raise AssertionError("contribution refused: %r" % r)
        return r.json()

    def comments_of(self, tracking, token=None):
        """The comments of a contribution, as the API gives them (with the secretariat's token, their ids)."""
        r = self.send_json("GET", "/api/v1/contributions/" + tracking, token=token)
        if r.status != 200:
            raise AssertionError("contribution %s: %r" % (tracking, r))
        return r.json()["comments"]

    def note_the_rest(self, token, call_id=1):
        """Answers every comment of the call not answered yet (with the secretariat's token): noted, by
        paragraph."""
        left = self.send_json("GET", "/api/v1/calls/%d/dispositions/remaining" % call_id, token=token).json()
        for p in left["paragraphs"]:
            r = self.send_json("POST", "/api/v1/calls/%d/dispositions" % call_id,
                               {"select": {"paragraph": p["paragraph"] or ""}, "decision": "noted", "reason": "Seen."},
                               token=token)
            if r.status != 200:
                raise AssertionError("noting paragraph %r: %r" % (p["paragraph"], r))

    def publish_version(self, token, markdown, label, date="2021-06-01", document="guidelines", choice="new",
                        note=None):
        """Posts a next version of a document of the demo process through the API (with the secretariat's token)
        and publishes it: when the matching was unsure of some paragraphs (the version stays a draft), each is
        confirmed as `choice` ("new" or "same") first. Returns the version's id."""
        fields = {"markdown": markdown, "date": date, "label": label}
        if note is not None:
            fields["note"] = note
        v = self.send_json("POST", "/api/v1/processes/%s/documents/%s/versions" % (SLUG, document), fields,
                           token=token)
        if v.status != 201:
            raise AssertionError("version refused: %r" % v)
        vid = v.json()["id"]
        if v.json()["state"] == "draft":  # the matching asks: confirm its own proposals
            m = self.send_json("GET", "/api/v1/versions/%d/matches" % vid, token=token).json()
            decisions = [{"number": p["number"], "choice": choice} for p in m["paragraphs"] if p["uncertain"]]
            if decisions:
                r = self.send_json("POST", "/api/v1/versions/%d/matches" % vid, {"decisions": decisions}, token=token)
                if r.status != 200:
                    raise AssertionError("matches refused: %r" % r)
            r = self.send_json("POST", "/api/v1/versions/%d/publish" % vid, token=token)
            if r.status != 200:
                raise AssertionError("publishing refused: %r" % r)
        return vid

    def campaigns_settled(self, call_id=1, timeout=60):
        """Waits until the writer's pass after the commit has looked at every contribution of the call (campaigns
        are recognised there, a little after each 201): what the pages show of campaigns is then complete."""
        deadline = time.monotonic() + timeout
        while True:
            r = self.get_json("/api/v1/calls/%d/campaigns" % call_id)
            if r.status != 200:
                raise AssertionError("campaigns: %r" % r)
            if r.json()["ungrouped"] == 0:
                return
            if time.monotonic() > deadline:
                raise AssertionError("campaigns still ungrouped after %d s: %r" % (timeout, r.json()["ungrouped"]))
            time.sleep(0.05)

    def published_total(self, call_id=1):
        r = self.get_json("/api/v1/calls/%d/contributions" % call_id)
        if r.status != 200:
            raise AssertionError("list of contributions: %r" % r)
        return r.json()["total"]


def read_response(sock, read_until_close=True):
    """Reads one HTTP response from sock: (status, headers dict lower-cased, body bytes)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines or not lines[0].startswith("HTTP/"):
        raise AssertionError("not an HTTP response: %r" % data[:200])
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    length = headers.get("content-length")
    if length is not None:
        while len(body) < int(length):
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    elif read_until_close:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    return status, headers, body


def contribution(**fields):
    """A valid contribution to the demo process; keyword arguments override or (with None) remove fields."""
    c = {
        "name": "Ada Lovelace",
        "organization": "Analytical Engines Ltd",
        "category": "academia",
        "country": "CH",
        "email": "ada@example.org",
        "text": "Paragraph 3 should say who reports, and to whom.",
        "publication": "named",
    }
    for k, v in fields.items():
        if v is None:
            c.pop(k, None)
        else:
            c[k] = v
    return c


def link_in(message, path):
    """The path and query of the link to `path` with a token in a mail (an email.message), for any server's
    port."""
    m = re.search(r"http://\S+?(%s\?token=[A-Za-z0-9_-]{43})" % re.escape(path), message.get_content())
    assert m, "no %s link in:\n%s" % (path, message.get_content())
    return m.group(1)


def page_text(page):
    """A page's text (a Response or its HTML) with tags removed and entities decoded, spaces collapsed: what a
    reader reads."""
    text = page if isinstance(page, str) else page.text
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def free_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def multipart(fields, files=()):
    """(body, Content-Type) of a multipart/form-data form as a browser sends it. fields: a dict or (name, text)
    pairs; files: (name, filename, content type, bytes)."""
    boundary = "----ConsultaTest" + uuid.uuid4().hex
    out = []
    for name, value in (fields.items() if isinstance(fields, dict) else fields):
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n" % (boundary, name)).encode())
        out.append((value if isinstance(value, bytes) else str(value).encode("utf-8")) + b"\r\n")
    for name, filename, ctype, data in files:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n"
                    % (boundary, name, filename, ctype)).encode())
        out.append(data + b"\r\n")
    out.append(("--%s--\r\n" % boundary).encode())
    return b"".join(out), "multipart/form-data; boundary=" + boundary


def cookie_value(r, name="consulta_session"):
    """The value of the cookie `name` that the response r sets (Set-Cookie), or None."""
    for value in r.headers.get_all("Set-Cookie") or []:
        if value.startswith(name + "="):
            return value.split(";", 1)[0].split("=", 1)[1]
    return None


def session_cookies(session):
    """The Cookie header of a browser logged in with this session (and the visitor id CSRF_TOKEN)."""
    return "consulta_csrf=%s; consulta_session=%s" % (CSRF_TOKEN, session)


class ServerTestCase(unittest.TestCase):
    """A test class sharing one server, started with the clock at NOW.

    Tests that change what others would count (the number of published
    contributions, say) start their own with self.fresh_server()."""

    NOW = CALL1_OPEN
    SHARED = True  # False: the tests start their own servers only
    server = None

    @classmethod
    def setUpClass(cls):
        if not cls.SHARED:
            return
        cls.server = Server(cls.NOW)
        try:
            cls.server.start()
        except BaseException:
            cls.server.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.server is None:
            return
        try:
            problem = cls.server.stop()
        finally:
            cls.server.cleanup()
        if problem:
            raise AssertionError(problem)

    def setUp(self):
        if self.server is not None:
            self.server.new_stderr()  # only what this test causes is held against it
        self._own = []

    def tearDown(self):
        problems = []
        for s in self._own:
            problem = s.stop()
            s.cleanup()
            if problem:
                problems.append(problem)
        if self.server is not None:
            report = sanitizer_report(self.server.new_stderr())
            if report:
                problems.append("sanitizer report from the shared server: " + report)
            elif not self.server.alive():
                problems.append("the shared server died during this test")
        if problems:
            self.fail("\n".join(problems))

    def fresh_server(self, now=None, **kw):
        """A server of this test's own, stopped (and checked) when the test ends."""
        s = Server(now or self.NOW, **kw)
        self._own.append(s)
        s.start()
        return s

    # -- a browser logged in (a session) ----------------------------------

    def login(self, s, email, password=PASSWORD, next_path="/office"):
        """Logs in on server s with the form (next_path None: no "next" field); returns the session (the
        consulta_session cookie's value)."""
        fields = {"email": email, "password": password}
        if next_path is not None:
            fields["next"] = next_path
        r = s.post_form("/login", fields)
        self.assertEqual(r.status, 303, r)
        session = cookie_value(r)
        if not session:
            self.fail("no session cookie after logging in")
        return session

    def cookies(self, session):
        return session_cookies(session)

    def get(self, s, session, path):
        """GET path on s as the browser of this session."""
        return s.get(path, headers={"Cookie": session_cookies(session)})

    def post(self, s, session, path, fields=None, csrf=True):
        """POSTs a form on s as the browser of this session sends it from our page: with the CSRF field bound to
        the session (unless csrf is False)."""
        return s.post_form(path, fields or {}, headers={"Cookie": session_cookies(session)}, csrf=csrf)

    # -- assertions ------------------------------------------------------

    def assertErrorShape(self, r, status, code=None, fields=None):
        """r is a JSON error {"error":{"code","message","fields"}} with this status (and code, and fields)."""
        self.assertEqual(r.status, status, r)
        self.assertTrue((r.header("Content-Type") or "").startswith("application/json"), r.header("Content-Type"))
        body = r.json()
        self.assertEqual(set(body), {"error"}, body)
        err = body["error"]
        self.assertEqual(set(err), {"code", "message", "fields"}, body)
        self.assertIsInstance(err["code"], str)
        self.assertIsInstance(err["message"], str)
        self.assertTrue(err["message"], "the message says what is wrong")
        self.assertIsInstance(err["fields"], dict)
        if code is not None:
            self.assertEqual(err["code"], code, body)
        if fields is not None:
            self.assertEqual(set(err["fields"]), set(fields), body)
            for name, message in err["fields"].items():
                self.assertIsInstance(message, str)
                self.assertTrue(message, "field %s has a message" % name)
        return err


def parallel(fn, items, threads):
    """Runs fn(item) for each item on `threads` threads; returns the results in order (exceptions re-raised)."""
    results = [None] * len(items)
    errors = []
    lock = threading.Lock()
    it = iter(range(len(items)))

    def worker():
        while True:
            with lock:
                i = next(it, None)
            if i is None:
                return
            try:
                results[i] = fn(items[i])
            except BaseException as e:  # noqa: BLE001 - reported below
                with lock:
                    errors.append(e)

    ts = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=120)
    if any(t.is_alive() for t in ts):
        raise AssertionError("worker threads did not finish within 120 s")
    if errors:
        raise errors[0]
    return results


# -- tracking numbers (the same rules as src/core/tracking.c) ----------------

TRACKING_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TRACKING_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]$")


def tracking_check_symbol(symbols):
    """The Luhn mod 32 check symbol of the 8 symbols."""
    factor, total = 2, 0
    for c in reversed(symbols):
        addend = factor * TRACKING_ALPHABET.index(c)
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return TRACKING_ALPHABET[(32 - total % 32) % 32]


def tracking_of(symbols):
    """A well-formed tracking number (with a right check symbol) from 8 symbols."""
    return "%s-%s-%s" % (symbols[:4], symbols[4:8], tracking_check_symbol(symbols))
