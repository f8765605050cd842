"""jemalloc under the store, when the machine has it.

pyoxigraph allocates through the C library's ``malloc``. Its hash joins build and drop tables of millions of
rows, and with glibc's allocator two queries on two threads slowed each other by a quarter; with jemalloc they
did not, and each ran faster (100,000 institutions, a validation sweep on two threads: 44 → 36 s, peak memory
1,242 → 1,012 MiB; ``docs/validation-engine.md``). An allocator is chosen when a process starts, so the
``ipgraph`` command starts itself again with jemalloc preloaded (``LD_PRELOAD``) when it finds the library and
it is not loaded yet. ``IPGRAPH_JEMALLOC`` names the library's file, or ``0`` to keep the C library's
allocator; ``scripts/install-jemalloc.sh`` installs it (Debian package ``libjemalloc2``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

SETTING = "IPGRAPH_JEMALLOC"
# where Debian and Fedora put the library (libjemalloc2, jemalloc)
KNOWN_PATHS = ("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2",
               "/usr/lib64/libjemalloc.so.2", "/usr/lib/libjemalloc.so.2")


def jemalloc_library(env: Mapping[str, str] = os.environ) -> str | None:
    """The jemalloc library to preload: the file ``IPGRAPH_JEMALLOC`` names, else the first of the known
    places that exists; None when the setting is ``0`` or no library is found."""
    wanted = env.get(SETTING, "").strip()
    if wanted.lower() in ("0", "off", "no", "false"):
        return None
    candidates = [wanted] if wanted else list(KNOWN_PATHS)
    return next((path for path in candidates if Path(path).is_file()), None)


def preloaded_env(env: Mapping[str, str] = os.environ) -> dict[str, str] | None:
    """The environment to start the process again with jemalloc preloaded, or None when there is nothing to
    do (no library, turned off, or preloaded already)."""
    library = jemalloc_library(env)
    preload = env.get("LD_PRELOAD", "")
    if library is None or "jemalloc" in preload:
        return None
    return {**env, "LD_PRELOAD": f"{library} {preload}".strip()}


def in_use() -> str:
    """``jemalloc`` when this process has it loaded, else ``malloc`` (the C library's)."""
    try:
        maps = Path("/proc/self/maps").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "malloc"
    return "jemalloc" if "libjemalloc" in maps else "malloc"


def restart_with_jemalloc(argv: Sequence[str]) -> None:
    """Replace this process by ``python -m ipgraph argv`` with jemalloc preloaded, when :func:`preloaded_env`
    says so; returns only when it does not (or the restart fails, which leaves the C library's allocator)."""
    env = preloaded_env()
    if env is None or sys.platform != "linux":
        return
    try:
        os.execve(sys.executable, [sys.executable, "-m", "ipgraph", *argv], env)
    except OSError:
        return
