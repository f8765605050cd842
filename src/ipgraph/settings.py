"""One settings object, read once from the environment (prefix ``IPGRAPH_``) or set by the CLI."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

import platformdirs


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("ipgraph"))


@dataclass(frozen=True)
class Settings:
    """Deployment settings. Each field's metadata ``help`` feeds the CLI and docs/settings.md."""

    data_dir: Path = field(default_factory=_default_data_dir,
                           metadata={"help": "folder of the embedded on-disk store"})
    host: str = field(default="127.0.0.1", metadata={"help": "address `ipgraph serve` listens on"})
    port: int = field(default=8000, metadata={"help": "port `ipgraph serve` listens on"})
    base_iri: str = field(default="https://w3id.org/ipgraph/",
                          metadata={"help": "base under which resource IRIs are published"})
    sparql_endpoint: str | None = field(default=None,
                                        metadata={"help": "remote SPARQL 1.1 query endpoint (instead of the embedded store)"})
    sparql_update_endpoint: str | None = field(default=None,
                                               metadata={"help": "remote SPARQL 1.1 update endpoint"})
    sparql_user: str | None = field(default=None, metadata={"help": "user name for the remote SPARQL endpoint"})
    sparql_password: str | None = field(default=None,
                                        metadata={"help": "password for the remote SPARQL endpoint "
                                                          "(set IPGRAPH_SPARQL_PASSWORD rather than a flag)"})
    sparql_auth: str = field(default="basic", metadata={"help": "HTTP authentication for the remote endpoint: "
                                                                "basic or digest (Virtuoso's /sparql-auth)"})
    store_timeout: float = field(default=10.0, metadata={"help": "seconds to wait for the remote SPARQL engine "
                                                                 "before answering 503"})
    query_timeout: float = field(default=10.0, metadata={"help": "seconds a public SPARQL query may run"})
    query_max_bytes: int = field(default=10 * 1024 * 1024,
                                 metadata={"help": "largest serialised result of a public SPARQL query (bytes)"})
    max_upload_bytes: int = field(default=10 * 1024 * 1024, metadata={"help": "largest accepted upload"})
    admin_token: str | None = field(default=None, repr=False,
                                    metadata={"help": "bearer token for the /admin routes (set IPGRAPH_ADMIN_TOKEN; "
                                                      "no token configured = admin routes disabled)"})
    admin_token_file: Path | None = field(default=None,
                                          metadata={"help": "file whose first line is the admin bearer token "
                                                            "(instead of IPGRAPH_ADMIN_TOKEN)"})
    feedback_burst: int = field(default=5, metadata={"help": "feedback submissions a client may make at once"})
    feedback_per_minute: float = field(default=2.0,
                                       metadata={"help": "feedback submissions per minute a client regains"})
    feed_poll_seconds: float = field(default=2.0,
                                     metadata={"help": "how often a worker over a remote store asks the change feed "
                                                       "whether another worker wrote (0 = never)"})
    map_tile_url: str | None = field(default=None,
                                     metadata={"help": "the deployment's own map tile server, as a Leaflet URL template "
                                                       "(https://tiles.example.org/{z}/{x}/{y}.png); none: the maps "
                                                       "draw the bundled region outlines and seats only"})
    map_tile_attribution: str = field(default="", metadata={"help": "the attribution the tile server requires"})

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> "Settings":
        """Settings from ``IPGRAPH_*`` variables; explicit overrides (not None) win."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = environ.get("IPGRAPH_" + f.name.upper())
            if raw is None or raw == "":
                continue
            kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "str")
            if "Path" in kind:
                values[f.name] = Path(raw)
            elif "int" in kind:
                values[f.name] = int(raw)
            elif "float" in kind:
                values[f.name] = float(raw)
            else:
                values[f.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "data_dir" in values:
            values["data_dir"] = Path(values["data_dir"])
        return cls(**values)
