"""Publishing under a deployment's own base IRI (``settings.base_iri``).

The data is written under the canonical base ``https://w3id.org/ipgraph/`` (``iris.BASE``). A deployment
that publishes under, say, ``https://ip.example.cn/`` serves ``/id/…`` paths that map onto the canonical
resource IRIs, and everything it sends shows its own base: resources (``id/``) and named graphs
(``graph/``) are rewritten on output, and IRIs under the deployment's base in a user's SPARQL query are
rewritten back before it runs. The ontology namespace (``…/ontology#``) is not rewritten: it is the
vocabulary every deployment shares, so data from several deployments still uses the same terms.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import URIRef

from ..model.iris import BASE

REBASED = ("id/", "graph/")


@dataclass(frozen=True)
class BaseIri:
    """The deployment's public base and the canonical one; identity when they are the same."""

    public: str
    canonical: str = BASE

    @classmethod
    def of(cls, base_iri: str) -> "BaseIri":
        return cls(base_iri if base_iri.endswith("/") else base_iri + "/")

    def url(self, path: str) -> str:
        """The public address of a path served by this deployment (``sparql``, ``dumps/…``, ``dataset``)."""
        return self.public + path.lstrip("/")

    def canonical_iri(self, path: str) -> URIRef:
        """The data IRI behind a request path such as ``/id/region/230100``."""
        return URIRef(self.canonical + path.lstrip("/"))

    def to_public(self, text: str) -> str:
        """Text (a document, a result) with canonical resource and graph IRIs shown under the public base."""
        if self.public == self.canonical:
            return text
        for part in REBASED:
            text = text.replace(self.canonical + part, self.public + part)
        return text

    def bytes_to_public(self, body: bytes) -> bytes:
        if self.public == self.canonical:
            return body
        for part in REBASED:
            body = body.replace((self.canonical + part).encode(), (self.public + part).encode())
        return body

    def iri_to_public(self, iri: str) -> str:
        return self.to_public(str(iri))

    def iri_to_canonical(self, iri: str) -> URIRef:
        for part in REBASED:
            if iri.startswith(self.public + part):
                return URIRef(self.canonical + iri[len(self.public):])
        return URIRef(iri)

    def iris_to_canonical(self, iris: Iterable[str]) -> list[URIRef]:
        return [self.iri_to_canonical(i) for i in iris]

    def query_to_canonical(self, query: str) -> str:
        """A user's query with IRI references under the public base (``<https://ip.example.cn/id/…>``,
        prefix declarations included) turned into the canonical IRIs the data uses."""
        if self.public == self.canonical:
            return query
        for part in REBASED:
            query = query.replace("<" + self.public + part, "<" + self.canonical + part)
        return query
