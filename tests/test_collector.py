"""Long-lived caches frozen out of the cyclic collector, without freezing the garbage cycles of before."""

import gc
import weakref

from ipgraph.collector import freeze_long_lived


class _Node:
    pass


def test_freezing_collects_garbage_cycles_first_and_freezes_what_is_alive():
    cycle = _Node()
    cycle.self = cycle
    gone = weakref.ref(cycle)
    del cycle                      # garbage, but only the cyclic collector can free it
    kept = [_Node() for _ in range(100)]
    try:
        freeze_long_lived()
        assert gone() is None      # collected, not frozen for ever
        walked = {id(o) for o in gc.get_objects()}     # what a full collection walks
        assert not any(id(k) in walked for k in kept)
    finally:
        gc.unfreeze()
