"""Matching: a question (what, where, filters) → ranked, explained institutions. ``understanding`` reads
the request against the vocabulary, ``index`` holds every institution and offering as NumPy arrays and ranks
nearest first, ``records`` and ``record_table`` give the public records shown, ``answer`` the answer and its
JSON, ``matcher`` keeps them current over one store. May import ``sheets``, ``validation``, ``store`` and ``model``.
"""
