"""The ``ipgraph`` command runs the store on jemalloc where the machine has it (ipgraph.cli.allocator)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ipgraph.cli.allocator import SETTING, jemalloc_library, preloaded_env

INSTALLED = jemalloc_library({})


def test_the_library_is_preloaded_once_and_only_when_wanted(tmp_path: Path):
    library = tmp_path / "libjemalloc.so.2"
    library.write_bytes(b"")
    env = preloaded_env({SETTING: str(library), "LD_PRELOAD": "libother.so"})
    assert env is not None and env["LD_PRELOAD"] == f"{library} libother.so" and env[SETTING] == str(library)
    assert preloaded_env(env) is None                                   # the restarted process goes on
    assert preloaded_env({SETTING: "0"}) is None                         # turned off
    assert preloaded_env({SETTING: str(tmp_path / "missing.so")}) is None  # a file that is not there: no restart


def _allocator_of_command(env: dict[str, str]) -> str:
    """The allocator that ``python -m ipgraph --version`` (the ``ipgraph`` command) says its store runs on."""
    done = subprocess.run([sys.executable, "-m", "ipgraph", "--version"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().rsplit(" ", 1)[-1].rstrip(")")


@pytest.mark.skipif(INSTALLED is None, reason="jemalloc is not installed (scripts/install-jemalloc.sh)")
def test_the_command_restarts_itself_on_jemalloc_when_installed():
    clean = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", SETTING)}
    assert _allocator_of_command(clean) == "jemalloc"
    assert _allocator_of_command({**clean, SETTING: "0"}) == "malloc"


def test_the_version_names_the_allocator():
    done = subprocess.run([sys.executable, "-m", "ipgraph", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("ipgraph ") and "store allocator: " in done.stdout
