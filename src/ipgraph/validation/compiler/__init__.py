"""SHACL shapes compiled to SPARQL SELECT queries, one per constraint (W3C SHACL §4 core, §5 SPARQL-based).

pySHACL walks the data graph node by node in Python, which takes minutes at 10,000 institutions; the same
constraints as SPARQL run inside the store in seconds. The shapes in ``shapes/`` stay the single source of
truth: the SPARQL here is *generated from them at run time* and never written down beside them. This is the
one deliberate exception to "SPARQL text lives in ``queries/*.rq``": a hand-kept copy of every shape in
SPARQL would drift from the shapes. No user input enters the generated text — it is built from the project's
own shapes files; focus nodes for a partial run are bound as a ``VALUES`` block of escaped terms
(:func:`ipgraph.store.queries.values_block`).

Every :class:`Check` is a SELECT whose rows are validation results: ``?this`` the focus node, ``?value`` the
value node when the component reports one, ``?path`` when a SPARQL-based constraint binds it. Nested shapes
(``sh:node``, ``sh:not``, ``sh:and``, ``sh:or``, ``sh:qualifiedValueShape``) compile to sub-selects of the
nodes that do *not* conform, so nesting needs no recursion at query time. A shape using something not
compiled here (``sh:xone``, ``sh:closed``, ``sh:qualifiedValueShapesDisjoint``, property pair components,
``sh:ask`` validators, custom components, recursive shapes, …) is listed in :attr:`Compiled.fallback` with the
reason; the engine validates those shapes with pySHACL instead.
"""

from .checks import FOCUS_SLOT, Check, Compiled, Unsupported
from .compile import compile_shapes, shapes_with_targets
from .not_exists import rewrite_not_exists
from .shapes import path_text
from .sweep import sparql_sweep_text, sweep_text
from .text import expand_prefixed_names

__all__ = ["FOCUS_SLOT", "Check", "Compiled", "Unsupported", "compile_shapes", "expand_prefixed_names", "path_text",
           "rewrite_not_exists", "shapes_with_targets", "sparql_sweep_text", "sweep_text"]
