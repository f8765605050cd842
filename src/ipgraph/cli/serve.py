"""``ipgraph serve``: the web service on the embedded store (seeded on first start) or a remote one.
"""

from __future__ import annotations

import argparse

from ..settings import Settings
from .commands import Command, command, open_remote, progress, remote_arguments, remote_settings


@command("serve", "start the web service (embedded store with the sample network by default)")
def _serve(parser: argparse.ArgumentParser) -> Command:
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 8000)")
    parser.add_argument("--data-dir", help="folder of the on-disk store (default: the user's data folder; "
                                           "IPGRAPH_DATA_DIR overrides)")
    remote_arguments(parser)

    def run(args: argparse.Namespace) -> int:
        import uvicorn

        from ..store.seed import open_embedded
        from ..web import create_app
        from ..web.utf8_targets import widen_h11_request_target

        settings = Settings.from_env(host=args.host, port=args.port, data_dir=args.data_dir, **remote_settings(args))
        if settings.sparql_endpoint:
            store = open_remote(settings, wait=True)
        else:
            progress(f"store: {settings.data_dir}")
            store = open_embedded(settings.data_dir / "store", progress=progress)
        progress(f"{store.triple_count()} triples; serving on http://{settings.host}:{settings.port}/")
        try:
            widen_h11_request_target()  # curl '…/api/match?q=侵权分析' sends raw UTF-8
            app = create_app(settings, store)
            app.state.publish_coverage = True  # the coverage graph (…/graph/coverage) written at start, for /sparql
            uvicorn.run(app, host=settings.host, port=settings.port, log_level="info",
                        http="h11")
        finally:
            store.close()
        return 0

    return run
