"""Long-lived caches kept out of Python's cyclic garbage collector's sight.

The match index's record table and the validation findings live until they are rebuilt, hold hundreds of
thousands to millions of objects and no reference cycles. A full collection walks every tracked object, and one
that falls inside a request makes it wait (a record table: 120 ms at 10,000 institutions, over a second at 100,000;
the findings at 100,000: 450 ms of a 478 ms re-validation). ``gc.freeze`` moves every object then alive into a
generation no collection walks; reference counting still frees them when they are dropped.
"""

from __future__ import annotations

import gc


def freeze_long_lived() -> None:
    """Freeze what is alive now, after one collection: a garbage cycle frozen with the caches (an upload's rdflib
    graph holds some) would never be freed."""
    gc.collect()
    gc.freeze()
