"""How a subcommand is registered (:func:`command`), the user's mistakes (:class:`UserError`, exit code 2), progress on
stderr, and the helpers several commands share: opening the on-disk or the remote store.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ..settings import Settings

Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Command]] = {}


class UserError(Exception):
    """A mistake the user can fix; printed without a traceback, exit code 2."""


def command(name: str, help: str):
    """Register a subcommand: the decorated function adds its arguments and returns the runner."""

    def register(setup: Callable[[argparse.ArgumentParser], Command]):
        COMMANDS[name] = (help, setup)
        return setup

    return register


def progress(message: str) -> None:
    print(f"[ipgraph] {message}", file=sys.stderr, flush=True)


def remote_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that point ipgraph at a remote SPARQL 1.1 store (docs/remote-store.md)."""
    parser.add_argument("--sparql-endpoint", metavar="URL", help="remote SPARQL query endpoint instead of the "
                        "embedded store (IPGRAPH_SPARQL_ENDPOINT)")
    parser.add_argument("--update-endpoint", metavar="URL", help="its update endpoint, when not the same URL "
                        "(IPGRAPH_SPARQL_UPDATE_ENDPOINT)")
    parser.add_argument("--sparql-user", help="user name for the endpoint (IPGRAPH_SPARQL_USER)")
    parser.add_argument("--sparql-password", help="password; prefer IPGRAPH_SPARQL_PASSWORD, which other users "
                        "cannot see in the process list")
    parser.add_argument("--sparql-auth", choices=("basic", "digest"), help="HTTP authentication (default basic; "
                        "Virtuoso's /sparql-auth uses digest)")


def remote_settings(args: argparse.Namespace) -> dict:
    return {"sparql_endpoint": args.sparql_endpoint, "sparql_update_endpoint": args.update_endpoint,
            "sparql_user": args.sparql_user, "sparql_password": args.sparql_password,
            "sparql_auth": args.sparql_auth}


def open_remote(settings: Settings, *, wait: bool):
    """The remote store; with ``wait``, keep trying until the engine answers (serve), else fail fast (load)."""
    import time

    from ..store.base import StoreUnavailable
    from ..store.remote import RemoteStore

    store = RemoteStore.from_settings(settings)
    progress(f"store: {settings.sparql_endpoint}" + (f" (updates: {settings.sparql_update_endpoint})"
                                                     if settings.sparql_update_endpoint else ""))
    while True:
        try:
            store.graph_names()
            return store
        except StoreUnavailable as error:
            if not wait:
                raise UserError(str(error)) from None
            progress(f"{error}; trying again in 5 s")
            time.sleep(5)


def open_existing(store_class, settings: Settings):
    """The on-disk store, or a clean message when `ipgraph serve` holds it."""
    try:
        return store_class(settings.data_dir / "store")
    except OSError as error:
        raise UserError(f"cannot open the store under {settings.data_dir} ({error}); stop `ipgraph serve` "
                        "first") from None


def open_local(data_dir: str | None, in_memory: bool):
    """The embedded store a read-only command uses: the on-disk one (seeded on first use), or a fresh in-memory
    one with the sample network; a clean message when `ipgraph serve` holds the on-disk store."""
    from ..store.seed import open_embedded

    settings = Settings.from_env(data_dir=data_dir)
    try:
        return open_embedded(None if in_memory else settings.data_dir / "store", progress=progress)
    except OSError as error:
        raise UserError(f"cannot open the store under {settings.data_dir} ({error}); is `ipgraph serve` "
                        "using it? Try --in-memory") from error
