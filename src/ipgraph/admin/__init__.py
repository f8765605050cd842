"""The administrators' write path: validate, then commit in one transaction with provenance (``write``),
feedback kept with consent in the private graph (``feedback``, clauses 7.2 and 5.5) and whole-store backups
(``backup``). May import ``matching``, ``sheets``, ``validation``, ``store`` and ``model``; knows no HTTP.
"""
