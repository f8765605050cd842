"""Fuzzing the public, admin and HSDS JSON API from its own OpenAPI description (schemathesis): whatever the
generated input, no 5xx and no response that breaks the documented schema. Bounded: a few examples per
operation, no shrinking deadline, one writable in-memory store for the module."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

from ipgraph.settings import Settings  # noqa: E402
from ipgraph.store.embedded import EmbeddedStore  # noqa: E402
from ipgraph.store.seed import mark_seeded, seed  # noqa: E402
from ipgraph.web import create_app  # noqa: E402

TOKEN = "fuzz-token"
EXAMPLES = 3

# The OpenAPI description needs no data, so the app is built at import over an empty store, seeded only when
# the test runs (the fixture below) — collecting this module costs nothing.
_store = EmbeddedStore()
_app = create_app(Settings(admin_token=TOKEN, feedback_burst=10_000, feedback_per_minute=10_000,
                           max_upload_bytes=100_000), _store)
schema = schemathesis.openapi.from_asgi("/openapi.json", _app).include(path_regex=r"^/(api|admin|hsds)/")


@pytest.fixture(scope="module", autouse=True)
def seeded():
    seed(_store)
    mark_seeded(_store)
    yield


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_answers_within_its_schema_and_never_5xx(case):
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"},
                           checks=[not_a_server_error, response_schema_conformance])
