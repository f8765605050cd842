"""Validation: the SHACL shapes compiled to SPARQL (``compiler``) and run in the store (``compiled``),
pySHACL as the reference engine with the report it gives (``reference``), the clause-coverage table and OWL
consistency. It takes graphs and stores — a spreadsheet is turned into a graph before it gets here — and
knows no HTTP. May import ``store`` and ``model``.
"""
