"""Start and stop SPARQL engines for the remote-store tests: Oxigraph server and Virtuoso.

Each engine runs on 127.0.0.1 on free ports with a private database under a temporary folder, so a test
session never touches a system database. Both see the union of their named graphs as the default graph
(Oxigraph with ``--union-default-graph``, Virtuoso by default), as ipgraph's named queries expect.

Installation is separate and idempotent (``scripts/install-virtuoso.sh``; Oxigraph server comes with the
``oxigraph`` package of the ``test`` extra). To run one by hand::

    python tests/engines.py virtuoso      # prints the endpoints, runs until Ctrl-C
"""

from __future__ import annotations

import configparser
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


class EngineMissing(RuntimeError):
    """The engine's program is not installed."""


def stop_process(process: subprocess.Popen, timeout: float = 30) -> None:
    """Stop a server the tests started: ask it to end, and kill it when it does not within ``timeout`` s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:
    """In the child: end the engine when the test process dies, even killed (Linux PR_SET_PDEATHSIG)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: a killed test run may leave its engine behind


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` server binary: beside this Python (the ``oxigraph`` wheel's script) or on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.exists() else shutil.which("oxigraph")


@dataclass
class Engine:
    """A running engine; ``stop()`` then ``start()`` restarts it on the same ports and database."""

    name: str
    folder: Path
    command: list[str]
    query_endpoint: str
    update_endpoint: str
    ready_url: str
    log_path: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self, timeout: float = 60.0) -> "Engine":
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(self.command, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.ready_url, timeout=2) as response:
                    if response.status == 200:
                        return self
            except (OSError, urllib.error.URLError):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not start; log:\n{self.log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
        self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def _ask_url(endpoint: str) -> str:
    return endpoint + "?" + urllib.parse.urlencode({"query": "ASK {}"})


def oxigraph(folder: Path | None = None, *, on_disk: bool = False) -> Engine:
    """Oxigraph server, in memory or (``on_disk``) with its database in ``folder`` so that it survives a restart.

    In memory is several times faster to load on a busy machine (RocksDB commits dominate).
    """
    binary = oxigraph_binary()
    if not binary:
        raise EngineMissing("oxigraph server not installed (pip install oxigraph)")
    folder = Path(folder or tempfile.mkdtemp(prefix="ipgraph-oxigraph-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [binary, "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    if on_disk:
        command += ["--location", str(folder / "db")]
    return Engine("oxigraph", folder, command, base + "/query", base + "/update", _ask_url(base + "/query"),
                  folder / "oxigraph.log").start()


def _virtuoso_ini(folder: Path, sql_port: int, http_port: int) -> Path:
    """A copy of the packaged virtuoso.ini with a private database, local-only ports and no result cap."""
    ini = configparser.ConfigParser(strict=False, interpolation=None, inline_comment_prefixes=(";",))
    ini.optionxform = str  # Virtuoso's keys are case-sensitive
    ini.read(VIRTUOSO_INI, encoding="utf-8")
    db = folder / "db"
    db.mkdir(parents=True, exist_ok=True)
    ini["Database"].update({"DatabaseFile": str(db / "virtuoso.db"), "ErrorLogFile": str(db / "virtuoso.log"),
                            "LockFile": str(db / "virtuoso.lck"), "TransactionFile": str(db / "virtuoso.trx"),
                            "xa_persistent_file": str(db / "virtuoso.pxa")})
    ini["TempDatabase"].update({"DatabaseFile": str(db / "virtuoso-temp.db"),
                                "TransactionFile": str(db / "virtuoso-temp.trx")})
    ini["Parameters"].update({"ServerPort": f"127.0.0.1:{sql_port}", "DirsAllowed": f"., {folder}",
                              "NumberOfBuffers": "10000", "MaxDirtyBuffers": "6000", "ThreadsPerQuery": "2"})
    ini["HTTPServer"]["ServerPort"] = f"127.0.0.1:{http_port}"
    ini["URIQA"]["DefaultHost"] = f"127.0.0.1:{http_port}"
    # The packaged default caps every SPARQL answer at 10,000 rows, silently.
    # ... and refuses queries whose *estimated* cost passes 400 s; its estimates for property paths are wild.
    ini["SPARQL"].update({"ResultSetMaxRows": "1000000", "MaxQueryExecutionTime": "120",
                          "MaxQueryCostEstimationTime": "0"})
    ini.remove_section("Plugins")
    path = folder / "virtuoso.ini"
    with open(path, "w", encoding="utf-8") as out:
        ini.write(out)
    return path


def virtuoso(folder: Path | None = None, *, dba_password: str = "dba") -> Engine:
    """Virtuoso 7 (``virtuoso-t``) on a fresh database in ``folder``; the SPARQL user may update."""
    binary = shutil.which("virtuoso-t")
    isql = shutil.which("isql-vt") or shutil.which("isql")
    if not binary or not isql or not VIRTUOSO_INI.exists():
        raise EngineMissing("Virtuoso not installed (scripts/install-virtuoso.sh)")
    folder = Path(folder or tempfile.mkdtemp(prefix="ipgraph-virtuoso-"))
    sql_port, http_port = free_port(), free_port()
    ini = _virtuoso_ini(folder, sql_port, http_port)
    endpoint = f"http://127.0.0.1:{http_port}/sparql"
    engine = Engine("virtuoso", folder, [binary, "+foreground", "+configfile", str(ini)], endpoint, endpoint,
                    _ask_url(endpoint), folder / "virtuoso-stdout.log").start()
    # A fresh database's anonymous SPARQL user may only read; the tests load and replace graphs through it.
    statements = 'GRANT SPARQL_UPDATE TO "SPARQL"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET (\'nobody\', 7);'
    subprocess.run([isql, f"127.0.0.1:{sql_port}", "dba", dba_password, f"exec={statements}"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
    return engine


STARTERS = {"oxigraph": oxigraph, "virtuoso": virtuoso}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in STARTERS:
        print("usage: python tests/engines.py oxigraph|virtuoso", file=sys.stderr)
        return 2
    engine = STARTERS[argv[0]]()
    print(f"{engine.name}: query {engine.query_endpoint}  update {engine.update_endpoint}  data {engine.folder}",
          flush=True)
    try:
        engine.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        engine.remove()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
