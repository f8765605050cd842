"""The domain's vocabularies read from the store: a SKOS scheme as a :class:`~ipgraph.model.catalog.Catalog`, the
regions graph as a :class:`~ipgraph.model.places.Gazetteer`, both together as the
:class:`~ipgraph.model.resolver.Resolver`. The model builds them from the rows handed in; reading
the rows is the store's business, so the model imports no store."""

from __future__ import annotations

from rdflib import URIRef

from ..model.catalog import SERVICES, Catalog
from ..model.iris import ID
from ..model.places import Gazetteer
from ..model.resolver import Resolver
from .base import Store


def load_catalog(store: Store, scheme: URIRef = SERVICES) -> Catalog:
    """The scheme read through the named queries ``scheme-labels``/``-hierarchy``/``-annotations``."""
    return Catalog.from_rows(store.select("scheme-labels", scheme=scheme),
                             store.select("scheme-hierarchy", scheme=scheme),
                             store.select("scheme-annotations", scheme=scheme))


def load_gazetteer(store: Store) -> Gazetteer:
    """The gazetteer read through the named query ``regions``."""
    return Gazetteer.from_rows(store.select("regions"))


def load_resolver(store: Store, schemes: tuple[str, ...]) -> Resolver:
    """The resolver over the named schemes (``id:scheme/{name}``) and the gazetteer."""
    return Resolver({name: load_catalog(store, ID[f"scheme/{name}"]) for name in schemes}, load_gazetteer(store))
