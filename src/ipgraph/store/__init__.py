"""The store: the :class:`~ipgraph.store.base.Store` protocol (every read a named query from
``queries/*.rq``, values bound, never formatted in), the embedded pyoxigraph store and the remote SPARQL 1.1
store, users' bounded read-only queries over the public graphs, and what a fresh store is seeded with. May
import ``model`` (and ``paths``, ``settings``, ``collector``) only.
"""
